"""Run every benchmark module in bench/ (each exposes ``main()``) in its own process, in order.

Each prints lines ``name: value unit (ratio X vs baseline)``; a failing benchmark is reported and
the others still run. ``python -m bench load transcode`` runs only the named ones.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def discover() -> list[str]:
    names = []
    for path in sorted(HERE.glob("*.py")):
        if path.stem.startswith("_"):
            continue
        if "\ndef main(" in path.read_text():
            names.append(path.stem)
    return names


def main(argv: list[str]) -> int:
    names = argv or discover()
    failed = []
    for name in names:
        print(f"== bench/{name}.py", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, "-m", f"bench.{name}"], cwd=HERE.parent)  # noqa: S603
        print(f"   ({name}: {time.monotonic() - started:.1f} s, exit {code})", flush=True)
        if code:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
