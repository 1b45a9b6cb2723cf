"""The machinery of the authorization matrix: walk the URL resolver, classify responses, run every
case × role × method inside a rolled-back savepoint, fingerprint the domain tables to prove a denied
request wrote nothing, scan responses for other people's data, and print the matrix as a table."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from .world import ANON, ROLES, SPEAKER, World

SUCCESS = frozenset({"2xx", "3xx", "400", "409"})  # the view acted with the caller's authority
DENIED = frozenset({"login", "401", "403", "404", "405"})
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def walk_patterns(resolver: URLResolver | None = None, prefix: str = "", namespace: tuple = ()):
    """Every URL pattern as (qualified name, route, callback), recursively."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace + ((pattern.namespace,) if pattern.namespace else ())
            yield from walk_patterns(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = ":".join(namespace + (pattern.name or f"<unnamed {prefix}{pattern.pattern}>",))
            yield name, prefix + str(pattern.pattern), pattern.callback


def methods_of(callback) -> tuple[str, ...]:
    """The methods worth trying: a DRF viewset's action map, an APIView's handlers, else GET+POST."""
    actions = getattr(callback, "actions", None)
    if actions:
        return tuple(m.upper() for m in actions)
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if cls is not None:
        found = tuple(m.upper() for m in ("get", "post", "put", "patch", "delete") if hasattr(cls, m))
        return found or ("GET",)
    return ("GET", "POST")


def classify(response) -> str:
    code = response.status_code
    if 300 <= code < 400:
        location = response.get("Location", "")
        return "login" if "/accounts/login/" in location or "/admin/login/" in location else "3xx"
    if 200 <= code < 300:
        return "2xx"
    if code >= 500:
        return "5xx"
    return str(code)


Expect = dict[str, frozenset]


@dataclass
class Case:
    """One URL pattern with kwargs from the world: what each role may do with it."""

    name: str
    expect: Expect  # role -> acceptable outcome classes for GET/HEAD
    kwargs: Callable[[World, str], dict] = lambda w, role: {}
    expect_write: Expect | None = None  # for POST/PUT/PATCH/DELETE; defaults to ``expect``
    label: str = ""
    methods: tuple[str, ...] | None = None  # default: from the view
    query: str = ""
    data: Callable[[World, str], dict] | None = None  # the body of writes (default: empty)
    scan: bool = True  # look for other people's data in the responses
    public_names: bool = False  # the page is a capability URL that shows its owner's name
    form_encoded: bool = False  # writes send application/x-www-form-urlencoded (default: multipart)

    @property
    def title(self) -> str:
        return f"{self.name} [{self.label}]" if self.label else self.name


@dataclass
class Cell:
    case: Case
    method: str
    role: str
    outcome: str
    expected: frozenset
    problem: str = ""  # "", "LEAK", "WRONG", "WRITE", "DATA"
    detail: str = ""


@dataclass
class Report:
    cells: list[Cell] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (case, method) no role may use

    @property
    def problems(self) -> list[Cell]:
        return [c for c in self.cells if c.problem]

    def table(self) -> str:
        width = max((len(f"{c.case.title} {c.method}") for c in self.cells), default=20)
        head = " " * width + " | " + " | ".join(f"{r[:12]:>12}" for r in ROLES)
        lines = [head, "-" * len(head)]
        rows: dict[tuple[str, str], dict[str, Cell]] = {}
        for cell in self.cells:
            rows.setdefault((cell.case.title, cell.method), {})[cell.role] = cell
        for (title, method), by_role in rows.items():
            out = []
            for role in ROLES:
                cell = by_role.get(role)
                text = "" if cell is None else cell.outcome + ("!" + cell.problem if cell.problem else "")
                out.append(f"{text:>12}")
            lines.append(f"{title + ' ' + method:<{width}} | " + " | ".join(out))
        return "\n".join(lines)

    def explain(self) -> str:
        lines = [
            f"{c.problem}: {c.method} {c.case.title} as {c.role}: got {c.outcome}, "
            f"policy says {'/'.join(sorted(c.expected))}{' - ' + c.detail if c.detail else ''}"
            for c in self.problems
        ]
        return "\n".join(lines) + "\n\n" + self.table()


def domain_tables() -> list[str]:
    tables = []
    for label in ("accounts", "courses", "production", "auth"):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            tables.append(model._meta.db_table)
    return sorted(set(tables))


def fingerprint(tables: Iterable[str]) -> dict[str, str]:
    """A hash of every row of every domain table (PostgreSQL), in one query."""
    # Table names come from the models' own metadata, not from input.
    row_hash = "md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), ''))"
    parts = [f"SELECT '{t}', {row_hash} FROM {connection.ops.quote_name(t)} x" for t in tables]  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return dict(cursor.fetchall())


def forbidden_markers(role: str) -> tuple[str, ...]:
    from . import world as w

    people = (w.OTHER_LEARNER_EMAIL, w.OTHER_LEARNER_NAME)
    team_a = (w.TEAM_A_SECRET, w.TEAM_A_SESSION_NOTE, w.TEAM_A_DRAFT_TITLE)
    team_b = (w.TEAM_B_SECRET, w.TEAM_B_SESSION_NOTE)
    if role == w.SUPER:
        return ()
    if role == w.PRODUCER:
        return people + team_b + (w.TEAM_B_VIDEO_LINK,)
    if role == w.OUTSIDER:
        return people + team_a + (w.TEAM_A_VIDEO_LINK,)
    return people + team_a + team_b + (w.SPEAKER_2_NAME, w.SPEAKER_2_EMAIL, w.TEAM_B_VIDEO_LINK)


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return ""
    kind = response.get("Content-Type", "")
    if not any(t in kind for t in ("text/", "json", "calendar", "xml", "javascript")):
        return ""
    return response.content.decode("utf-8", "replace")


class MatrixRunner:
    def __init__(self, world: World):
        self.world = world
        self.clients: dict[str, Client] = {}
        self.cookies: dict[str, Any] = {}
        for role in ROLES:
            client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
            user = world.users.get(role)
            if user is not None:
                client.force_login(user)
            self.clients[role] = client
            self.cookies[role] = copy.deepcopy(client.cookies)
        self.tables = domain_tables()
        self.baseline = fingerprint(self.tables)
        self.report = Report()

    def request(self, role: str, method: str, url: str, data: dict | None = None, *, form_encoded=False):
        client = self.clients[role]
        client.cookies = copy.deepcopy(self.cookies[role])
        cache.clear()  # rate limits and throttles count per address; every request starts fresh
        if method in ("GET", "HEAD", "DELETE"):
            return client.generic(method, url)
        if form_encoded:
            return client.generic(
                method, url, urlencode(data or {}), content_type="application/x-www-form-urlencoded"
            )
        if url.startswith("/api/"):
            return client.generic(method, url, json.dumps(data or {}), content_type="application/json")
        return client.post(url, data or {}) if method == "POST" else client.generic(method, url, b"")

    def run(self, cases: Iterable[Case]) -> Report:
        from django.urls import reverse

        for case in cases:
            outcomes: dict[str, dict[str, tuple[str, Any, dict | None]]] = {}
            methods = case.methods
            if methods is None:
                from django.urls import resolve

                methods = methods_of(
                    resolve(reverse(case.name, kwargs=case.kwargs(self.world, ROLES[-1]))).func
                )
            for method in methods:
                outcomes[method] = {}
                for role in ROLES:
                    url = reverse(case.name, kwargs=case.kwargs(self.world, role)) + case.query
                    with transaction.atomic():
                        data = case.data(self.world, role) if case.data else None
                        response = self.request(role, method, url, data, form_encoded=case.form_encoded)
                        after = fingerprint(self.tables) if method in WRITE_METHODS else None
                        transaction.set_rollback(True)
                    outcomes[method][role] = (classify(response), response, after)
            for method, by_role in outcomes.items():
                table = case.expect_write if (method in WRITE_METHODS and case.expect_write) else case.expect
                offered_to = [role for role in ROLES if table[role] & SUCCESS]
                if all(by_role[role][0] == "405" for role in offered_to or ROLES):
                    self.report.skipped.append((case.title, method))
                    continue
                for role, (outcome, response, after) in by_role.items():
                    expected = table[role]
                    cell = Cell(case, method, role, outcome, expected)
                    allowed = expected | (frozenset({"405"}) if not expected & SUCCESS else frozenset())
                    if outcome not in allowed:
                        leak = outcome in SUCCESS and not expected & SUCCESS
                        cell.problem = "LEAK" if leak else "WRONG"
                    elif after is not None and not expected & SUCCESS and after != self.baseline:
                        changed = sorted(t for t in self.tables if after.get(t) != self.baseline.get(t))
                        cell.problem, cell.detail = "WRITE", "changed " + ", ".join(changed)
                    if not cell.problem and case.scan:
                        text = _text(response)
                        markers = forbidden_markers(role)
                        if case.public_names:
                            from .world import OTHER_LEARNER_NAME

                            markers = tuple(m for m in markers if m != OTHER_LEARNER_NAME)
                        found = [m for m in markers if m in text]
                        if found:
                            cell.problem, cell.detail = "DATA", "shows " + ", ".join(found)
                    self.report.cells.append(cell)
        return self.report


def everyone(classes: Iterable[str]) -> Expect:
    return {role: frozenset(classes) for role in ROLES}


def per_role(default: Iterable[str], **overrides: Iterable[str]) -> Expect:
    from . import world as w

    names = {
        "anon": w.ANON,
        "learner": w.LEARNER,
        "enrolled": w.ENROLLED,
        "speaker": w.SPEAKER,
        "outsider": w.OUTSIDER,
        "producer": w.PRODUCER,
        "superuser": w.SUPER,
    }
    table = {role: frozenset(default) for role in ROLES}
    for key, classes in overrides.items():
        table[names[key]] = frozenset(classes)
    return table


__all__ = ["ANON", "SPEAKER", "Case", "MatrixRunner", "everyone", "per_role", "walk_patterns"]
