"""Screenshots for review: a browser test saves the pages it visits to var/screenshots/ (not committed)."""

from __future__ import annotations

import re
from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}


def save_screenshot(page, name: str) -> Path:
    """Save a full-page PNG as var/screenshots/<name>.png (name made file-safe) and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name).strip('-')}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
