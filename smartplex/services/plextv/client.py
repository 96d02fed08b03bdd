"""A small client for plex.tv: the PIN sign-in, the account behind a token, the servers it may use, and a server
owner's shared users.

Every request carries SmartPlex's product headers and this installation's client identifier; a token travels only
in the `X-Plex-Token` header and no message we raise names it. plex.tv's failures come back as `PlexTvError`s whose
messages are safe to show: down or slow (`PlexTvUnavailable`), rate limiting with its Retry-After
(`PlexTvRateLimited`), a web page or garbage where data belongs (`PlexTvBadAnswer`), a refused token
(`PlexTvRejected`), a PIN that is gone (`PinExpired`). Redirects are not followed (they would carry the token
header elsewhere) and answers are read up to MAX_BODY bytes.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx
import orjson
from lxml import etree

from smartplex import __version__
from smartplex.config import DEFAULT_PLEX_TV_URL, get_settings
from smartplex.log import get_logger
from smartplex.services import vault
from smartplex.services.auth import CONTROL_RE
from smartplex.services.plex.client import Timeouts, describe_transport_error

log = get_logger(__name__)

PRODUCT = "SmartPlex"
APP_URL = "https://app.plex.tv"  # where plex.tv's own sign-in page lives
DEFAULT_TIMEOUTS = Timeouts(connect=5.0, read=10.0)
MAX_BODY = 4 * 1024 * 1024
MAX_RETRY_AFTER = 3600
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_T = TypeVar("_T")


class PlexTvError(Exception):
    """plex.tv could not do what was asked; the message is safe to show (no token, no URL with secrets)."""


class PlexTvUnavailable(PlexTvError):
    """plex.tv is down, unreachable, too slow, or failing (5xx)."""


class PlexTvRateLimited(PlexTvError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"plex.tv is limiting requests (HTTP 429); it asks to wait {retry_after} s.")
        self.retry_after = retry_after


class PlexTvBadAnswer(PlexTvError):
    """plex.tv answered, but not with what the API returns (a web page, garbage, something huge)."""


class PlexTvRejected(PlexTvError):
    """plex.tv refused the token (HTTP 401/403)."""


class PinExpired(PlexTvError):
    """The PIN is unknown to plex.tv: it expired, or was never ours."""


@dataclass(frozen=True)
class Pin:
    id: int
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class PlexTvAccount:
    id: int
    uuid: str
    username: str
    title: str
    email: str
    thumb: str

    @property
    def display_name(self) -> str:
        return self.title or self.username or f"Plex user {self.id}"


@dataclass(frozen=True)
class Resource:
    """A device the account may use; servers are matched to the household's by machine identifier."""

    client_identifier: str
    name: str
    owned: bool
    provides: tuple[str, ...]

    @property
    def is_server(self) -> bool:
        return "server" in self.provides


@dataclass(frozen=True)
class SharedUser:
    """A person the token's owner shares servers with (or a Plex Home member), and those servers' identifiers."""

    id: int
    title: str
    username: str
    email: str
    thumb: str
    home: bool
    server_ids: tuple[str, ...]

    @property
    def display_name(self) -> str:
        return self.title or self.username or f"Plex user {self.id}"


def client_identifier() -> str:
    """This installation's identifier at plex.tv: stable across restarts, unique per installation."""
    return str(uuid.UUID(hex=vault.derive("plex.tv client identifier")[:32]))


def clean_text(value: object, limit: int = 255) -> str:
    """A display string from plex.tv: control characters dropped, trimmed, clipped; anything else gives ""."""
    if not isinstance(value, str):
        return ""
    return CONTROL_RE.sub("", value).strip()[:limit]


def _positive_int(value: object) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value if 0 < value < 2**53 else 0
    if isinstance(value, str) and value.isdigit():
        return _positive_int(int(value))
    return 0


def _retry_after(response: httpx.Response) -> int:
    raw = response.headers.get("Retry-After", "")
    seconds = int(raw) if raw.strip().isdigit() else 60
    return min(max(seconds, 1), MAX_RETRY_AFTER)


class PlexTvClient:
    """Requests to one plex.tv base URL (the setting by default); one pooled connection per client."""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        attempts: int = 2,
        backoff: float = 0.5,
    ) -> None:
        self.base_url = (base_url or get_settings().plex_tv_url).rstrip("/")
        self.attempts = max(attempts, 1)
        self.backoff = backoff
        self.identifier = client_identifier()
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeouts.read, connect=timeouts.connect), follow_redirects=False
        )

    def __enter__(self) -> PlexTvClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    # ----- the PIN sign-in

    def create_pin(self) -> Pin:
        """A strong PIN (the kind plex.tv's sign-in page takes) for this installation."""
        data = self._json("POST", "/api/v2/pins", params={"strong": "true"})
        pin_id, code = _positive_int(data.get("id")), clean_text(data.get("code"), 64)
        if not pin_id or not code:
            raise PlexTvBadAnswer("plex.tv answered without a PIN.")
        expires_in = _positive_int(data.get("expiresIn")) or 1800
        return Pin(pin_id, code, datetime.now(UTC) + timedelta(seconds=expires_in))

    def pin_token(self, pin_id: int) -> str | None:
        """The account token once the person signed in on plex.tv's page; None while they have not."""
        data = self._json("GET", f"/api/v2/pins/{int(pin_id)}", retry=False)
        token = data.get("authToken")
        if token is None or token == "":
            return None
        if not isinstance(token, str) or len(token) > 512 or CONTROL_RE.search(token):
            raise PlexTvBadAnswer("plex.tv answered with a malformed sign-in.")
        return token

    def auth_url(self, code: str, forward_url: str) -> str:
        """Plex's sign-in page for this PIN, coming back to `forward_url` when done."""
        app = APP_URL if self.base_url == DEFAULT_PLEX_TV_URL else self.base_url
        params = {
            "clientID": self.identifier,
            "code": code,
            "forwardUrl": forward_url,
            "context[device][product]": PRODUCT,
            "context[device][version]": __version__,
            "context[device][platform]": "Web",
            "context[device][device]": PRODUCT,
        }
        return f"{app}/auth#?{urlencode(params)}"

    # ----- what a token may do

    def account(self, token: str) -> PlexTvAccount:
        data = self._json("GET", "/api/v2/user", token=token)
        account_id = _positive_int(data.get("id"))
        if not account_id:
            raise PlexTvBadAnswer("plex.tv answered without an account.")
        return PlexTvAccount(
            id=account_id,
            uuid=clean_text(data.get("uuid"), 64),
            username=clean_text(data.get("username")),
            title=clean_text(data.get("title")),
            email=clean_text(data.get("email"), 254),
            thumb=clean_text(data.get("thumb"), 512),
        )

    def resources(self, token: str) -> list[Resource]:
        data = self._request_json(
            "GET", "/api/v2/resources", token=token, params={"includeHttps": "1", "includeRelay": "1"}
        )
        if not isinstance(data, list):
            raise PlexTvBadAnswer("plex.tv answered with something other than a list of servers.")
        return [
            Resource(
                client_identifier=clean_text(entry.get("clientIdentifier"), 64),
                name=clean_text(entry.get("name")),
                owned=entry.get("owned") is True,
                provides=tuple(p.strip() for p in clean_text(entry.get("provides")).split(",") if p.strip()),
            )
            for entry in data
            if isinstance(entry, dict)
        ]

    def shared_users(self, token: str) -> list[SharedUser]:
        """The token owner's friends and Plex Home members (plex.tv's users API, XML only)."""
        body = self._request("GET", "/api/users/", token=token, accept="application/xml")
        try:
            root = etree.fromstring(body, _PARSER)
        except etree.XMLSyntaxError:
            raise PlexTvBadAnswer("plex.tv sent a malformed list of shared users.") from None
        if root.tag != "MediaContainer":
            raise PlexTvBadAnswer("plex.tv sent a web page instead of the list of shared users.")
        users = []
        for el in root.iter("User"):
            user_id = _positive_int(el.get("id"))
            if user_id:
                users.append(
                    SharedUser(
                        id=user_id,
                        title=clean_text(el.get("title")),
                        username=clean_text(el.get("username")),
                        email=clean_text(el.get("email"), 254),
                        thumb=clean_text(el.get("thumb"), 512),
                        home=el.get("home") == "1",
                        server_ids=tuple(clean_text(s.get("machineIdentifier"), 64) for s in el.iter("Server")),
                    )
                )
        return users

    # ----- transport

    def _json(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        data = self._request_json(method, path, **kw)
        if not isinstance(data, dict):
            raise PlexTvBadAnswer("plex.tv answered with something other than an object.")
        return data

    def _request_json(self, method: str, path: str, **kw: Any) -> Any:
        body = self._request(method, path, **kw)
        if body.lstrip()[:1] == b"<":
            raise PlexTvBadAnswer("plex.tv sent a web page instead of data; it may be down for maintenance.")
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            raise PlexTvBadAnswer("plex.tv sent an answer SmartPlex cannot read.") from None

    def _request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        params: dict[str, str] | None = None,
        accept: str = "application/json",
        retry: bool = True,
    ) -> bytes:
        headers = {
            "Accept": accept,
            "X-Plex-Product": PRODUCT,
            "X-Plex-Version": __version__,
            "X-Plex-Client-Identifier": self.identifier,
            "X-Plex-Platform": "Web",
            "X-Plex-Device": PRODUCT,
            "X-Plex-Device-Name": PRODUCT,
        }
        if token is not None:
            headers["X-Plex-Token"] = token
        request = self._http.build_request(method, self.base_url + path, params=params, headers=headers)
        return _with_retries(lambda: self._send(request, path), self.attempts if retry else 1, self.backoff)

    def _send(self, request: httpx.Request, path: str) -> bytes:
        started = time.perf_counter()
        try:
            response = self._http.send(request, stream=True)
        except httpx.TransportError as exc:
            reason = describe_transport_error(exc)
            log.warning("plextv.unreachable", path=_loggable(path), reason=reason)
            raise PlexTvUnavailable(f"plex.tv is not answering ({reason}).") from None
        try:
            status = response.status_code
            log.info(
                "plextv.request", path=_loggable(path), status=status, ms=round((time.perf_counter() - started) * 1000)
            )
            if status in (200, 201):
                return _read_capped(response)
            if status in (401, 403):
                raise PlexTvRejected("plex.tv did not accept the token.")
            if status == 404:
                raise PinExpired("plex.tv no longer knows this sign-in.")
            if status == 429:
                raise PlexTvRateLimited(_retry_after(response))
            if status >= 500:
                raise PlexTvUnavailable(f"plex.tv is failing (HTTP {status}).")
            raise PlexTvBadAnswer(f"plex.tv answered HTTP {status}.")
        except httpx.TransportError as exc:
            raise PlexTvUnavailable(f"plex.tv stopped answering ({describe_transport_error(exc)}).") from None
        finally:
            response.close()


def _loggable(path: str) -> str:
    """The path without ids: a PIN's id, with this installation's identifier, would fetch its token."""
    return re.sub(r"/\d+", "/{id}", path)


def _read_capped(response: httpx.Response) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_BODY:
            raise PlexTvBadAnswer("plex.tv sent an answer far larger than any it should.")
        chunks.append(chunk)
    return b"".join(chunks)


def _with_retries(call: Callable[[], _T], attempts: int, backoff: float) -> _T:
    """`call`, tried again after a pause when plex.tv is unavailable (never on a refusal or rate limit)."""
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except PlexTvUnavailable:
            if attempt == attempts:
                raise
            time.sleep(backoff * attempt)
    raise AssertionError("unreachable")
