"""Run the benchmarks, each in its own process: ``python -m bench`` (all) or ``python -m bench load``.

A benchmark module has ``main()`` (prints its lines) or ``run()`` (returns them); a failing benchmark
is reported and the others still run.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENTRY = re.compile(r"^def (main|run)\(", re.M)


def discover() -> list[str]:
    names = [
        path.stem
        for path in sorted(HERE.glob("*.py"))
        if not path.stem.startswith("_") and ENTRY.search(path.read_text())
    ]
    # The machine's own speed first: the reference for every figure after it.
    return sorted(names, key=lambda name: name != "machine")


def run_one(name: str) -> None:
    """Inside the child process: set up Django and run one benchmark module."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omooc.settings")
    module = importlib.import_module(f"bench.{name}")
    if hasattr(module, "main"):
        module.main()
        return
    import django

    django.setup()
    for text in module.run():
        print(text, flush=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:
        run_one(argv[1])
        return 0
    names = argv or discover()
    failed = []
    for name in names:
        print(f"== bench/{name}.py", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, "-m", "bench", "--one", name], cwd=HERE.parent)  # noqa: S603
        print(f"   ({name}: {time.monotonic() - started:.1f} s, exit {code})", flush=True)
        if code:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
