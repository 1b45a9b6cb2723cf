"""The production API: producers only; a production's items only for its team."""

from __future__ import annotations

from tests.authorization.policy import API_TEAM, API_WIDE, case, mirror, on_item, pk
from tests.support.authz import Case

CASES: list[Case] = [
    case("v1:production-list", API_WIDE),
    case("v1:production-postpone-all", API_WIDE),
    *on_item(
        API_TEAM,
        "production_a",
        "v1:production-detail",
        "v1:production-board",
        "v1:production-history",
        "v1:production-postpone",
    ),
    case("v1:location-list", API_WIDE),
    case("v1:location-detail", API_WIDE, lambda w, role: {"pk": w.extra["location"].pk}),
    case("v1:session-list", API_WIDE),
    *on_item(
        API_TEAM,
        "session_a",
        "v1:session-detail",
        "v1:session-add-speaker",
        "v1:session-crew",
        "v1:session-hold",
        "v1:session-remove-speaker",
        "v1:session-response",
        "v1:session-transition",
    ),
    case("v1:pretalk-list", API_WIDE),
    *on_item(
        API_TEAM,
        "pretalk_a",
        "v1:pretalk-detail",
        "v1:pretalk-cancel",
        "v1:pretalk-held",
        "v1:pretalk-response",
    ),
    *on_item(
        API_TEAM, "script_a", "v1:script-part-detail", "v1:script-part-transition", "v1:script-part-versions"
    ),
    *on_item(API_TEAM, "post_production_a", "v1:post-production-detail"),
    case("v1:production-detail", mirror(API_TEAM), pk("production_b"), label="team B"),
    case("v1:session-detail", mirror(API_TEAM), pk("session_b"), label="team B"),
    case("v1:pretalk-detail", mirror(API_TEAM), pk("pretalk_b"), label="team B"),
]
