"""The speaker's personal link (only that speaker's items) and the speaker directory of the studio
(ADR 0013): two teams, every page, action and API route."""

from __future__ import annotations

from tests.authorization.policy import API_WIDE, NOBODY, STUDIO_WIDE, TEAM, case, mirror, pk, rule
from tests.support.authz import Case
from tests.support.world import SPEAKER, SUPER


def _speaker(target_attr=None, **fixed):
    """The speaker-link role uses its own token; everybody else holds no link, so a forged one."""

    def kwargs(w, role):
        out = {"token": w.speaker_token if role == SPEAKER else "forged-" + "x" * 24}
        if target_attr:
            out |= fixed | {"pk": getattr(w, target_attr).pk}
        return out

    return kwargs


SPEAKER_PAGE = rule(
    {SPEAKER}, anon="404", learner="404", enrolled="404", outsider="404", producer="404", superuser="404"
)

LINK_CASES: list[Case] = [
    case("speaker:page", SPEAKER_PAGE, _speaker()),
    case("speaker:answer", SPEAKER_PAGE, _speaker("session_a", target="session")),
    case("speaker:answer", NOBODY, _speaker("session_b", target="session"), label="another speaker's"),
    case("speaker:answer", SPEAKER_PAGE, _speaker("pretalk_a", target="pretalk"), label="pre-talk"),
    case("speaker:ics", SPEAKER_PAGE, _speaker("session_a", target="session")),
    case("speaker:ics", NOBODY, _speaker("session_b", target="session"), label="another speaker's"),
    case("speaker:ics", NOBODY, _speaker("pretalk_b", target="pretalk"), label="another speaker's pre-talk"),
    case("speaker:script", SPEAKER_PAGE, _speaker("script_a")),
    case("speaker:script", NOBODY, _speaker("script_b"), label="another speaker's"),
    case("speaker:feed", SPEAKER_PAGE, _speaker()),
    case("speaker:page", NOBODY, lambda w, role: {"token": w.extra["revoked_token"]}, label="withdrawn link"),
    case("speaker:feed", NOBODY, lambda w, role: {"token": w.extra["revoked_token"]}, label="withdrawn link"),
]


# The speaker directory (ADR 0013). Every producer finds every speaker (to put them on a session) and
# sees their contact details, but only the items of their own team's productions. Contact details may
# be changed, and personal links withdrawn, only by the producers of every production the speaker works
# with (a speaker on nothing yet: by whoever added them); superusers always. A new link may be emailed
# (to the stored address) by any team the speaker works with.
SPEAKER_OWNERS = rule(TEAM, anon="login", speaker="login", learner="403", enrolled="403", outsider="403")
SPEAKER_SUPERUSER_ONLY = rule(
    {SUPER}, anon="login", speaker="login", learner="403", enrolled="403", outsider="403", producer="403"
)
API_SPEAKER_OWNERS = rule(TEAM, anon="401", speaker="401", learner="403", enrolled="403", outsider="403")
API_SPEAKER_SUPERUSER_ONLY = rule(
    {SUPER}, anon="401", speaker="401", learner="403", enrolled="403", outsider="403", producer="403"
)


def _speaker_pk(name):
    return lambda w, role: {"pk": w.extra[name].pk}


_SPEAKERS = (
    # (kwargs, label, manage: edit/withdraw links, send: email a new link)
    (pk("speaker_1"), "", SPEAKER_OWNERS, SPEAKER_OWNERS),
    (pk("speaker_2"), "team B's speaker", mirror(SPEAKER_OWNERS), mirror(SPEAKER_OWNERS)),
    (_speaker_pk("shared_speaker"), "shared by both teams", SPEAKER_SUPERUSER_ONLY, STUDIO_WIDE),
    (_speaker_pk("new_speaker"), "on nothing yet, added by team A", SPEAKER_OWNERS, SPEAKER_OWNERS),
)
_API_MANAGE = {
    "": API_SPEAKER_OWNERS,
    "team B's speaker": mirror(API_SPEAKER_OWNERS),
    "shared by both teams": API_SPEAKER_SUPERUSER_ONLY,
    "on nothing yet, added by team A": API_SPEAKER_OWNERS,
}

DIRECTORY: list[Case] = [
    Case(name="production:speakers", expect=STUDIO_WIDE[0], expect_write=STUDIO_WIDE[1]),
    Case(
        name="production:speakers",
        expect=STUDIO_WIDE[0],
        query="?q=Sprekertje",
        label="search",
        methods=("GET",),
    ),
    Case(name="production:speaker_create", expect=STUDIO_WIDE[0], expect_write=STUDIO_WIDE[1]),
    Case(name="v1:speaker-list", expect=API_WIDE[0], expect_write=API_WIDE[1]),
]
for _kwargs, _label, _manage, _send in _SPEAKERS:
    DIRECTORY += [
        Case("production:speaker", STUDIO_WIDE[0], _kwargs, STUDIO_WIDE[1], _label),
        Case("production:speaker_edit", _manage[0], _kwargs, _manage[1], _label),
        Case("production:email_speaker", STUDIO_WIDE[0], _kwargs, STUDIO_WIDE[1], _label),
        Case("production:speaker_links_revoke", _manage[0], _kwargs, _manage[1], _label),
        Case("production:speaker_link_send", _send[0], _kwargs, _send[1], _label),
        Case("v1:speaker-detail", API_WIDE[0], _kwargs, _API_MANAGE[_label][1], _label),
    ]
