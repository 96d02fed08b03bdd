"""Real destinations for deliveries (registered through conftest's `pytest_plugins`): an HTTP endpoint on 127.0.0.1
that Apprise's json:// posts to, and an SMTP server (aiosmtpd) for mailto://, each recording what arrived."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import orjson
import pytest
from aiosmtpd.controller import Controller
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from smartplex.simulators.server import ThreadedServer, free_port


@dataclass
class JsonReceiver:
    """Takes POSTs at any path; `fail` answers the next N with `status`, `hang` holds them until cleared."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    fail: int = 0
    status: int = 500
    hang: bool = False
    arrived: threading.Event = field(default_factory=threading.Event)

    @property
    def apprise_url(self) -> str:
        return self.url.replace("http://", "json://") + "/hook"

    async def _receive(self, request: Request) -> Response:
        while self.hang:
            await asyncio.sleep(0.05)
        self.paths.append(request.url.path)
        if self.fail > 0:
            self.fail -= 1
            return JSONResponse({"error": "try later"}, status_code=self.status)
        self.received.append(orjson.loads(await request.body()))
        self.arrived.set()
        return JSONResponse({"ok": True})

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self._receive, methods=["POST"])])


@pytest.fixture
def json_receiver() -> Iterator[JsonReceiver]:
    receiver = JsonReceiver()
    with ThreadedServer(receiver.app()) as server:
        receiver.url = server.url
        yield receiver
        receiver.hang = False


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))  # type: ignore[arg-type]
        return "250 Message accepted"


@dataclass(frozen=True)
class SmtpServer:
    port: int
    messages: list[EmailMessage]

    def apprise_url(self, to: str = "max@example.com") -> str:
        return f"mailto://127.0.0.1:{self.port}?to={to}&from=smartplex@example.com&mode=insecure"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    mailbox = _Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpServer(controller.port, mailbox.messages)
    finally:
        controller.stop()
