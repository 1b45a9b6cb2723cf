"""One format for every benchmark line: ``name: value unit (ratio X vs baseline)``."""

from __future__ import annotations


def line(name: str, value: float, unit: str, *, baseline: float | None = None, note: str = "") -> str:
    text = f"{name}: {value:,.2f} {unit}"
    if baseline:
        text += f" (ratio {value / baseline:.2f} vs baseline)"
    if note:
        text += f" [{note}]"
    print(text, flush=True)
    return text
