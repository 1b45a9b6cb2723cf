"""The portfolio (issue 14): every production of the producer's team as one sortable, filterable
table with an archive, and a timeline of target against projected launch with the holds, drawn on
the server as SVG (readable without JavaScript, text labels and a title for screen readers).

Readiness comes from the boards (``selectors.boards_for``: a fixed number of queries for any number
of productions); sorting and filtering happen on those rows in Python, so no filter adds a query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ..history import history_record
from ..models import Production, RecordingSession

SORTS = {
    "projected": gettext_lazy("Projected launch"),
    "target": gettext_lazy("Target launch"),
    "late": gettext_lazy("Most days late"),
    "progress": gettext_lazy("Least ready"),
    "name": gettext_lazy("Name"),
    "client": gettext_lazy("Client"),
}
STATUSES = {
    "": gettext_lazy("All current productions"),
    "late": gettext_lazy("Late"),
    "on_track": gettext_lazy("On track"),
    "blocked": gettext_lazy("With blockers"),
    "archived": gettext_lazy("Archived"),
}


@dataclass(frozen=True)
class Hold:
    session_id: int
    start: date
    until: date
    reason: str


@dataclass
class PortfolioRow:
    production: Production
    readiness: object  # selectors.Readiness
    holds: list[Hold] = field(default_factory=list)

    @property
    def archived(self) -> bool:
        return self.production.archived_at is not None

    @property
    def late(self) -> bool:
        return (self.readiness.days_late or 0) > 0

    @property
    def hold_dates(self) -> list[tuple[date, int]]:
        """Each "not before" date of the held recordings with how many are held until then."""
        counts: dict[date, int] = {}
        for hold in self.holds:
            counts[hold.until] = counts.get(hold.until, 0) + 1
        return sorted(counts.items())

    @property
    def status(self) -> str:
        if self.archived:
            return "archived"
        return "late" if self.late else "on_track"


def _holds(board) -> list[Hold]:
    seen: dict[int, Hold] = {}
    for row in board.rows:
        for s in row.sessions:
            if s.state == RecordingSession.State.ON_HOLD and s.pk not in seen and s.hold_until:
                start = min(timezone.localtime(s.starts_at).date(), s.hold_until)
                seen[s.pk] = Hold(s.pk, start, s.hold_until, s.hold_reason)
    return sorted(seen.values(), key=lambda h: (h.start, h.session_id))


def _key(sort: str):
    far = date.max
    return {
        "projected": lambda r: (r.readiness.projected_launch_on or far, str(r.production)),
        "target": lambda r: (r.production.target_launch_on or far, str(r.production)),
        "late": lambda r: (-(r.readiness.days_late or 0), str(r.production)),
        "progress": lambda r: (r.readiness.percent, str(r.production)),
        "name": lambda r: (str(r.production).casefold(), r.production.pk),
        "client": lambda r: (r.production.client.casefold(), str(r.production).casefold()),
    }[sort]


def portfolio_rows(
    *,
    productions: list[Production],
    boards: dict,
    sort: str = "projected",
    status: str = "",
    search: str = "",
) -> list[PortfolioRow]:
    """Rows for the table and the timeline. ``status`` "" shows current productions (archived ones
    only under "archived"); ``search`` matches the course title or the client, case-insensitively."""
    needle = search.strip().casefold()
    rows = []
    for p in productions:
        row = PortfolioRow(p, boards[p.pk].readiness, _holds(boards[p.pk]))
        if (status == "archived") != row.archived:
            continue
        if status in ("late", "on_track") and row.status != status:
            continue
        if status == "blocked" and not row.readiness.blockers:
            continue
        if needle and needle not in str(p).casefold() and needle not in p.client.casefold():
            continue
        rows.append(row)
    return sorted(rows, key=_key(sort if sort in SORTS else "projected"))


# --- archive ---------------------------------------------------------------------------------


@transaction.atomic
def production_archive(*, production: Production, by, archived: bool = True) -> Production:
    """Archives (or brings back) a production: it leaves the studio's current lists, keeps
    everything it holds, and the history says who did it. Doing it twice changes nothing."""
    production = Production.objects.select_for_update().get(pk=production.pk)
    if (production.archived_at is not None) == archived:
        return production
    production.archived_at = timezone.now() if archived else None
    production.save(update_fields=["archived_at", "updated_at"])
    history_record(
        production=production,
        subject=production,
        action="archived" if archived else "unarchived",
        by=by,
    )
    return production


# --- the timeline ----------------------------------------------------------------------------

ROW_H, LABEL_W, WIDTH, TOP = 34, 220, 960, 40


def _months(first: date, last: date) -> list[date]:
    month = first.replace(day=1)
    out = []
    while month <= last:
        out.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return out


def timeline_svg(rows: list[PortfolioRow], *, today: date | None = None) -> SafeString:
    """Target (a diamond) against projected launch (the bar from today), holds as hatched spans,
    one row per production; every mark has a <title> and the row says it in words."""
    today = today or timezone.localdate()
    dates = [today]
    for r in rows:
        dates += [d for d in (r.production.target_launch_on, r.readiness.projected_launch_on) if d]
        dates += [d for h in r.holds for d in (h.start, h.until)]
    first = min(dates) - timedelta(days=7)
    last = max(dates) + timedelta(days=14)
    span = max((last - first).days, 1)
    plot = WIDTH - LABEL_W - 20

    def x(day: date) -> float:
        return round(LABEL_W + plot * (day - first).days / span, 1)

    height = TOP + ROW_H * max(len(rows), 1) + 10
    title = _("Launch timeline")
    desc = _(
        "Target launch (diamond) against projected launch (bar from today) for each production; "
        "holds hatched."
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" '
        f'aria-labelledby="timeline-title timeline-desc" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet">',
        f'<title id="timeline-title">{escape(title)}</title><desc id="timeline-desc">{escape(desc)}</desc>',
        '<defs><pattern id="hold-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="3" height="6" class="hatch"/></pattern></defs>',
    ]
    for month in _months(first, last):
        if month < first:
            continue
        mx = x(month)
        parts.append(f'<line class="grid" x1="{mx}" y1="{TOP - 12}" x2="{mx}" y2="{height}"/>')
        parts.append(f'<text class="month" x="{mx + 3}" y="{TOP - 16}">{month:%Y-%m}</text>')
    tx = x(today)
    parts.append(f'<line class="today" x1="{tx}" y1="{TOP - 12}" x2="{tx}" y2="{height}"/>')
    parts.append(f'<text class="today-label" x="{tx + 3}" y="{TOP - 2}">{escape(_("today"))}</text>')
    for i, r in enumerate(rows):
        parts.append(_timeline_row(r, y=TOP + i * ROW_H, x=x, today=today))
    if not rows:
        parts.append(
            f'<text class="empty" x="{LABEL_W}" y="{TOP + 20}">{escape(_("No productions to show."))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above and below goes through escape()


def _timeline_row(r: PortfolioRow, *, y: int, x, today: date) -> str:
    name = escape(str(r.production))
    target, projected = r.production.target_launch_on, r.readiness.projected_launch_on
    words = [str(r.production)]
    words.append(_("target %(date)s") % {"date": target.isoformat()} if target else _("no target date"))
    words.append(
        _("projected %(date)s") % {"date": projected.isoformat()} if projected else _("not projected yet")
    )
    if r.late:
        days = r.readiness.days_late
        words.append(ngettext("%(days)d day late", "%(days)d days late", days) % {"days": days})
    mid = y + ROW_H // 2
    out = [f'<g class="row {r.status}"><title>{escape(" · ".join(words))}</title>']
    out.append(f'<text class="label" x="6" y="{mid + 4}">{name}</text>')
    if projected:
        x0, x1 = sorted((x(today), x(projected)))
        out.append(f'<rect class="bar" x="{x0}" y="{mid - 6}" width="{max(x1 - x0, 2)}" height="12" rx="2"/>')
    for h in r.holds:
        hx0, hx1 = x(h.start), x(h.until)
        text = _("on hold until at least %(date)s: %(reason)s") % {
            "date": h.until.isoformat(),
            "reason": h.reason,
        }
        out.append(
            f'<rect class="hold" x="{hx0}" y="{mid - 9}" width="{max(hx1 - hx0, 3)}" height="18" '
            f'fill="url(#hold-hatch)"><title>{escape(text)}</title></rect>'
        )
    if target:
        tx = x(target)
        out.append(
            f'<polygon class="target" points="{tx},{mid - 8} {tx + 8},{mid} {tx},{mid + 8} {tx - 8},{mid}"/>'
        )
    out.append("</g>")
    return "".join(out)
