"""Apprise (email, Discord, Telegram, ntfy, Pushover, Slack, Gotify, web hooks and 100+ more) behind two calls:
`read()` checks a URL a person typed and masks it for display, `send()` delivers one message, bounded in time,
with Apprise's own reason when it fails.

Apprise explains itself only through its logger, and its messages can quote the URL (tokens, passwords): the
"apprise" logger does not reach SmartPlex's logs; a handler keeps each thread's messages for the call that made
them, and only the sender's own page shows them.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import apprise
from apprise.manager_plugins import NotificationManager

CONNECT_TIMEOUT = 5.0  # seconds, for every service (Apprise's own default is 4 s, 15 s for email)
READ_TIMEOUT = 10.0
MAX_URL = 2048
UNKNOWN = (
    "Apprise does not know this kind of address. Start it with the service, like mailto://, discord://, "
    "tgram://, ntfy://, pover://, slack://, gotify:// or json:// (the Apprise wiki lists them all)."
)


class _ThreadMessages(logging.Handler):
    """Apprise's log messages, each kept for the thread that is collecting."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self._lines: dict[int, list[tuple[int, str]]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        lines = self._lines.get(record.thread or 0)
        if lines is not None:
            lines.append((record.levelno, record.getMessage()))

    @contextlib.contextmanager
    def collect(self) -> Iterator[list[tuple[int, str]]]:
        ident = threading.get_ident()
        self._lines[ident] = lines = []
        try:
            yield lines
        finally:
            self._lines.pop(ident, None)


_messages = _ThreadMessages()
_logger = logging.getLogger("apprise")
_logger.addHandler(_messages)
_logger.setLevel(logging.WARNING)
_logger.propagate = False
_PLUGINS = NotificationManager()  # knows every scheme Apprise supports


@dataclass(frozen=True)
class Destination:
    service: str  # "Discord", "E-Mail", "JSON"
    masked: str  # the URL with secrets replaced by Apprise's own privacy mode, without its options


class AppriseUrlError(ValueError):
    """A URL Apprise cannot use; the message says why in words."""


def _reason(lines: list[tuple[int, str]], fallback: str) -> str:
    """Apprise's warning (it names the bad part: "An invalid Discord Webhook Token was specified"), else
    `fallback`; its errors quote the whole URL, so they are not repeated."""
    warnings = [text for level, text in lines if level == logging.WARNING and "://" not in text]
    return (warnings[0] if warnings else fallback)[:300]


def _plugin(url: str, lines: list[tuple[int, str]]) -> Any:
    text = (url or "").strip()
    if not text:
        raise AppriseUrlError("Enter an Apprise URL.")
    if len(text) > MAX_URL:
        raise AppriseUrlError(f"Use at most {MAX_URL} characters.")
    if any(ch.isspace() for ch in text):
        raise AppriseUrlError("An Apprise URL has no spaces; encode them as %20.")
    if "://" not in text:
        raise AppriseUrlError(UNKNOWN)
    plugin = apprise.Apprise.instantiate(text)
    if plugin is None:
        scheme = text.split("://", 1)[0].lower()
        if scheme in ("http", "https"):
            raise AppriseUrlError(f"For a web hook write json://… (jsons:// for https) instead of {scheme}://.")
        if scheme not in _PLUGINS:
            raise AppriseUrlError(UNKNOWN)
        raise AppriseUrlError(_reason(lines, f"Apprise could not read this {scheme}:// address: check it against the "
                                             "service's format in the Apprise wiki."))  # fmt: skip
    return plugin


def read(url: str) -> Destination:
    """What Apprise makes of `url`; AppriseUrlError with the reason when it cannot use it."""
    with _messages.collect() as lines:
        plugin = _plugin(url, lines)
    return Destination(str(plugin.service_name), plugin.url(privacy=True).split("?", 1)[0])


def send(url: str, title: str, body: str) -> str | None:
    """Deliver one message; None when the service took it, else why not (never the URL's secrets)."""
    began = time.monotonic()
    with _messages.collect() as lines:
        try:
            plugin = _plugin(url, lines)
        except AppriseUrlError as exc:
            return str(exc)
        plugin.socket_connect_timeout = min(float(plugin.socket_connect_timeout), CONNECT_TIMEOUT)
        plugin.socket_read_timeout = min(float(plugin.socket_read_timeout), READ_TIMEOUT)
        try:
            delivered = plugin.notify(body=body, title=title, body_format=apprise.NotifyFormat.TEXT)
        except Exception as exc:  # noqa: BLE001 - a plugin's bug must not reach the worker
            return f"Apprise failed: {type(exc).__name__}"
    if delivered:
        return None
    reason = _failure(lines)
    if time.monotonic() - began >= CONNECT_TIMEOUT * 0.95:
        return f"No answer within {time.monotonic() - began:.0f} s: {reason}"
    return reason


def _failure(lines: list[tuple[int, str]]) -> str:
    """The most telling line Apprise logged for a failed send (its errors name the HTTP status or the socket
    problem), with any URL cut out."""
    texts = [text for _level, text in lines]
    for text in reversed(texts):
        cleaned = " ".join(part for part in text.split() if "://" not in part)
        if cleaned:
            return cleaned[:300]
    return "The service did not accept the message."
