"""The vocabulary of the authorization matrix: which roles a rule lets through and what every other
role gets instead, and the rules that several areas share."""

from __future__ import annotations

from tests.support.authz import SUCCESS, Case
from tests.support.world import ANON, ENROLLED, LEARNER, OUTSIDER, PRODUCER, ROLES, SPEAKER, SUPER

ALL_USERS = {LEARNER, ENROLLED, OUTSIDER, PRODUCER, SUPER}
PRODUCERS = {OUTSIDER, PRODUCER, SUPER}
TEAM = {PRODUCER, SUPER}
ROLE_KEYS = ("anon", "speaker", "learner", "enrolled", "outsider", "producer", "superuser")


def rule(allow, get_ok=("2xx",), **deny):
    """Roles in ``allow`` succeed (GET: ``get_ok``; writes: any outcome of an authorised call —
    success, redirect, validation error); every other role gets the outcome named in ``deny``
    (keys: anon, learner, enrolled, speaker, outsider)."""
    names = {"anon": ANON, "learner": LEARNER, "enrolled": ENROLLED, "speaker": SPEAKER, "outsider": OUTSIDER}
    names |= {"producer": PRODUCER, "superuser": SUPER}
    denied = {
        names[key]: frozenset(value if isinstance(value, tuple) else (value,)) for key, value in deny.items()
    }
    expect, write = {}, {}
    for role in ROLES:
        if role in allow:
            expect[role], write[role] = frozenset(get_ok), SUCCESS
        else:
            expect[role] = write[role] = denied[role]
    missing = [role for role in ROLES if role not in expect]
    assert not missing, missing
    return expect, write


def nobody(outcome, **but):
    """No role succeeds: every role gets ``outcome``, except those named in ``but``."""
    return rule(set(), **(dict.fromkeys(ROLE_KEYS, outcome) | but))


STUDIO_TEAM = rule(TEAM, anon="login", speaker="login", learner="403", enrolled="403", outsider="404")
STUDIO_WIDE = rule(PRODUCERS, anon="login", speaker="login", learner="403", enrolled="403")
STUDIO_JSON_TEAM = rule(TEAM, anon="401", speaker="401", learner="403", enrolled="403", outsider="404")
API_TEAM = rule(TEAM, anon="401", speaker="401", learner="403", enrolled="403", outsider="404")
API_WIDE = rule(PRODUCERS, anon="401", speaker="401", learner="403", enrolled="403")
PUBLIC = rule(set(ROLES), get_ok=("2xx", "3xx"))
NOBODY = nobody("404")
LOGGED_IN_PAGE = rule(ALL_USERS, get_ok=("2xx", "3xx"), anon="login", speaker="login")
LOGGED_IN_API = rule(ALL_USERS, anon="401", speaker="401")


def mirror(policy):
    """The same rule for production B: its team is the other producer's."""

    def swap(table):
        return table | {PRODUCER: table[OUTSIDER], OUTSIDER: table[PRODUCER]}

    return tuple(swap(table) for table in policy)


def case(name, policy, kwargs=None, **options) -> Case:
    expect, write = policy
    return Case(
        name=name, expect=expect, expect_write=write, kwargs=kwargs or (lambda w, role: {}), **options
    )


def pk(attr):
    return lambda w, role: {"pk": getattr(w, attr).pk}


def on_item(policy, attr: str, *names: str) -> list[Case]:
    """One case per URL name, all under ``policy``, about the world's item ``attr`` (its ``pk``)."""
    return [case(name, policy, pk(attr)) for name in names]


def with_speaker(attr: str):
    """The world's item ``attr`` and speaker 1 on it."""
    return lambda w, role: {"pk": getattr(w, attr).pk, "speaker_id": w.speaker_1.pk}
