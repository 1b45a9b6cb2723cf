"""An aiosmtpd server whose answers a test controls: the next RCPTs can be answered 250, 451 or 550,
and a DATA can be held open (a worker stuck mid-send) until the test releases it."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections import deque
from email import policy


class ScriptedHandler:
    def __init__(self) -> None:
        self.messages: list = []  # parsed, in arrival order (accepted DATA)
        self.answers: deque[str] = deque()  # replies for the next RCPTs ("451 ...", "550 ..."); then 250
        self.hold_data = threading.Event()  # set: the next DATA waits until ``release`` is set
        self.in_data = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.answers:
            answer = self.answers.popleft()
            if not answer.startswith("250"):
                return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.hold_data.is_set():
            self.hold_data.clear()
            self.in_data.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


class ScriptedSMTP:
    """Start with ``start(settings)``; Django's SMTP backend then sends to it."""

    def __init__(self) -> None:
        self.handler = ScriptedHandler()
        self.controller = None

    def start(self, settings) -> ScriptedHandler:
        from aiosmtpd.controller import Controller

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=port)
        self.controller.start()
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        return self.handler

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
