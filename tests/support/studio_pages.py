"""Steps a producer takes through the studio's pages in a browser (Playwright)."""

from __future__ import annotations

from datetime import date


def hold_all_recordings(page, *, until: date, reason: str) -> None:
    """From a production's board: open "Hold all recordings", fill in the date and the reason, preview
    the hold and confirm it (English labels). The caller waits for the page that confirms it."""
    page.get_by_role("link", name="Hold all recordings").click()
    page.get_by_label("On hold until at least").fill(until.isoformat())
    page.get_by_label("Reason").fill(reason)
    page.get_by_role("button", name="Preview the hold").click()
    page.get_by_role("button", name="Confirm: put on hold").click()
