"""A real CalDAV server (Radicale) for the tests, and a replay of a speaker's mailbox into it.

``radicale_server`` starts Radicale in a subprocess on a free localhost port with its own storage
folder and no authentication. ``CalDAVCalendar.apply`` applies one received iTIP message the way a
calendar client does on import (RFC 5546):

- REQUEST: create the event with that UID, or replace it when the new SEQUENCE is at least the
  stored one (an older SEQUENCE is ignored);
- CANCEL: delete the event (a client that removes cancelled events keeps no memory of the UID, so a
  stale REQUEST arriving afterwards would bring the event back: exactly what must never happen).
"""

from __future__ import annotations

import base64
import hashlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from xml.etree import ElementTree

import pytest
from icalendar import Calendar

from tests.support.mailbox import free_port
from tests.support.processes import stop_process

from .helpers import calendar_part


class CalDAVCalendar:
    """One calendar collection of one user on the Radicale server."""

    def __init__(self, base: str, user: str, name: str = "calendar") -> None:
        self.base = base.rstrip("/")
        self.path = f"/{user}/{name}/"
        self.auth = "Basic " + base64.b64encode(f"{user}:any".encode()).decode()

    def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None):
        request = urllib.request.Request(self.base + path, data=body or None, method=method)  # noqa: S310
        request.add_header("Authorization", self.auth)
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - localhost test server
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def create(self) -> None:
        status, body = self.request("MKCALENDAR", self.path)
        assert status == 201, f"MKCALENDAR {self.path}: {status} {body[:300]!r}"

    def _href(self, uid: str) -> str:
        return self.path + hashlib.sha256(uid.encode()).hexdigest()[:32] + ".ics"

    def get(self, uid: str):
        status, body = self.request("GET", self._href(uid))
        if status == 404:
            return None
        assert status == 200, f"GET {uid}: {status}"
        (event,) = Calendar.from_ical(body).walk("VEVENT")
        return event

    def apply(self, message) -> None:
        method, cal = calendar_part(message)
        if cal is None:
            return
        for event in cal.walk("VEVENT"):
            uid, sequence = str(event["uid"]), int(event["sequence"])
            stored = self.get(uid)
            if method == "CANCEL":
                if stored is not None and int(stored["sequence"]) <= sequence:
                    status, _body = self.request("DELETE", self._href(uid))
                    assert status in (200, 204), f"DELETE {uid}: {status}"
                continue
            assert method == "REQUEST", method
            if stored is not None and int(stored["sequence"]) > sequence:
                continue
            # A stored calendar object carries no METHOD (RFC 4791 4.1): copy the event into a new one.
            stored_cal = Calendar()
            stored_cal.add("prodid", "-//OMOOC tests//replay//EN")
            stored_cal.add("version", "2.0")
            stored_cal.add_component(event)
            status, body = self.request(
                "PUT",
                self._href(uid),
                stored_cal.to_ical(),
                {"Content-Type": "text/calendar; charset=utf-8"},
            )
            assert status in (201, 204), f"PUT {uid}: {status} {body[:300]!r}"

    def events(self) -> dict[str, object]:
        """Every event in the collection, read back with a CalDAV REPORT (calendar-query)."""
        query = (
            b'<?xml version="1.0" encoding="utf-8"?>'
            b'<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
            b"<D:prop><C:calendar-data/></D:prop>"
            b'<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter>'
            b"</C:filter></C:calendar-query>"
        )
        status, body = self.request(
            "REPORT", self.path, query, {"Depth": "1", "Content-Type": "application/xml; charset=utf-8"}
        )
        assert status == 207, f"REPORT: {status} {body[:300]!r}"
        events = {}
        tree = ElementTree.fromstring(body)  # noqa: S314 - our own local test server's answer
        for data in tree.iter("{urn:ietf:params:xml:ns:caldav}calendar-data"):
            for event in Calendar.from_ical(data.text or "").walk("VEVENT"):
                events[str(event["uid"])] = event
        return events


class RadicaleServer:
    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / "radicale.log"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "radicale",
                "--config",
                "",
                "--server-hosts",
                f"127.0.0.1:{self.port}",
                "--storage-filesystem-folder",
                str(folder / "collections"),
                "--auth-type",
                "none",
                "--rights-type",
                "owner_only",
                "--web-type",
                "none",
            ],
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Radicale stopped: {self.log.read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Radicale did not start: {self.log.read_text()[-2000:]}")

    def calendar(self, user: str) -> CalDAVCalendar:
        cal = CalDAVCalendar(self.url, user)
        cal.create()
        return cal

    def stop(self) -> None:
        stop_process(self.process, timeout=10, kill_after=5)


@pytest.fixture
def radicale(tmp_path):
    server = RadicaleServer(tmp_path)
    try:
        yield server
    finally:
        server.stop()
