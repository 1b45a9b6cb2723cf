"""One format for every benchmark line: ``name: value unit (ratio X vs baseline[, target T: PASS])``."""

from __future__ import annotations


def line(
    name: str,
    value: float,
    unit: str,
    *,
    baseline: float | None = None,
    note: str = "",
    target: float | None = None,
) -> str:
    """``target``: the least ratio to the baseline that meets the goal; the line says PASS or FAIL."""
    text = f"{name}: {value:,.2f} {unit}"
    if baseline:
        ratio = value / baseline
        verdict = f", target {target:.2f}: {'PASS' if ratio >= target else 'FAIL'}" if target else ""
        text += f" (ratio {ratio:.2f} vs baseline{verdict})"
    if note:
        text += f" [{note}]"
    print(text, flush=True)
    return text
