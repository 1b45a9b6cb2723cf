"""Run axe-core (from npm, node_modules/axe-core) in a Playwright page and return serious findings."""

from __future__ import annotations

from functools import cache
from pathlib import Path

AXE_PATH = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@cache
def axe_source() -> str:
    return AXE_PATH.read_text()


def serious_violations(page) -> list[str]:
    """Violations of impact serious or critical, one readable line each (rule, help, first targets)."""
    return [line for line, impact in _violations(page) if impact in ("serious", "critical")]


def all_violations(page) -> list[str]:
    """Every violation, whatever its impact (minor and moderate too), one readable line each."""
    return [line for line, _ in _violations(page)]


def _violations(page) -> list[tuple[str, str]]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())  # evaluated through the DevTools protocol: CSP does not apply
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}
        })"""
    )
    lines = []
    for violation in result["violations"]:
        targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
        line = f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}"
        lines.append((line, violation["impact"]))
    return lines
