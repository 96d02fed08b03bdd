"""A small Plex Media Server HTTP client for the bulk paths (sync, history, accounts).

One pooled keep-alive `httpx.Client` per client. The token travels only in the `X-Plex-Token`
request header: callers pass paths and query strings without it, and error messages name the path,
never the token. Transient failures (connect errors, timeouts, dropped connections, 5xx) are retried
with exponential backoff; a 401/403 is reported at once as `PlexAuthError`. Redirects are not
followed, because httpx would forward our custom token header to wherever they point.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import httpx
from lxml import etree
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from smartplex import __version__
from smartplex.log import get_logger

log = get_logger(__name__)

CLIENT_IDENTIFIER = "smartplex"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


class PlexError(Exception):
    """Talking to Plex failed; the message is safe to show (it never contains the token)."""


class PlexAuthError(PlexError):
    def __init__(self, status: int = 401) -> None:
        super().__init__("Plex rejected the token" + ("" if status == 401 else f" (HTTP {status})"))


class PlexNotFound(PlexError):
    """Plex answered 404."""


class PlexUnreachable(PlexError):
    """No answer after the retries (connect errors, timeouts, dropped connections)."""


class PlexServerError(PlexError):
    """Plex kept answering 5xx."""


class Transient(Exception):
    """One failed attempt worth retrying; `reason` is a short human description, `status` the 5xx if any."""

    def __init__(self, reason: str, status: int | None = None, *, connect_failed: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.connect_failed = connect_failed


@dataclass(frozen=True)
class Timeouts:
    connect: float = 5.0
    read: float = 30.0


DEFAULT_TIMEOUTS = Timeouts()


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: BaseException | None = exc
    while seen is not None:
        yield seen
        seen = seen.__cause__ or seen.__context__


def describe_transport_error(exc: httpx.TransportError) -> str:
    """A short reason for a transport failure, written by us so no URL or header can leak through."""
    if isinstance(exc, httpx.ConnectTimeout):
        return "connect timeout"
    if isinstance(exc, httpx.ConnectError):
        for cause in _causes(exc):
            if isinstance(cause, ConnectionRefusedError):
                return "connection refused"
            if isinstance(cause, socket.gaierror):
                return "host not found"
            if isinstance(cause, ssl.SSLError):
                return "TLS error"
        return "cannot connect"
    if isinstance(exc, (httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout)):
        return "timeout"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return "connection dropped"
    return type(exc).__name__


def base_headers(token: str) -> dict[str, str]:
    return {
        "X-Plex-Token": token,
        "X-Plex-Product": "SmartPlex",
        "X-Plex-Version": __version__,
        "X-Plex-Client-Identifier": CLIENT_IDENTIFIER,
        "Accept": "application/xml",
    }


class PlexClient:
    """GET requests against one PMS base URL with retries; `base_url` may be switched (re-race)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        attempts: int = 3,
        backoff: float = 0.5,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.attempts = attempts
        self.backoff = backoff
        self._http = httpx.Client(
            headers=base_headers(token),
            timeout=httpx.Timeout(timeouts.read, connect=timeouts.connect),
            limits=httpx.Limits(max_connections=4, max_keepalive_connections=4),
            follow_redirects=False,
        )

    def __enter__(self) -> PlexClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def get(self, path: str, query: str = "", headers: Mapping[str, str] | None = None) -> bytes:
        """The body of `GET base_url + path[?query]` (a 200), after up to `attempts` tries."""
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=self.backoff, max=self.backoff * 8),
            retry=retry_if_exception(self.retryable),
            before_sleep=lambda state: self._log_retry(path, state),
            reraise=True,
        )
        try:
            return retrying(self._once, path, query, headers)
        except Transient as exc:
            if exc.status is not None:
                raise PlexServerError(
                    f"Plex failed: HTTP {exc.status} for {path} after {self.attempts} tries"
                ) from None
            raise PlexUnreachable(f"Plex unreachable: {exc.reason} ({self.base_url}{path})") from None

    def get_xml(
        self, path: str, query: str = "", *, start: int | None = None, size: int | None = None
    ) -> etree._Element:
        """The parsed MediaContainer of a GET; `start`/`size` page through with the container headers."""
        headers = None
        if start is not None or size is not None:
            headers = {"X-Plex-Container-Start": str(start or 0), "X-Plex-Container-Size": str(size or 0)}
        return parse_xml(self.get(path, query, headers), path)

    def retryable(self, exc: BaseException) -> bool:
        """Whether a failed attempt is worth another try (subclasses narrow this)."""
        return isinstance(exc, Transient)

    def _once(
        self, path: str, query: str, headers: Mapping[str, str] | None, read_timeout: float | None = None
    ) -> bytes:
        """One attempt; `read_timeout` shortens the client's own for this request."""
        url = self.base_url + path + (f"?{query}" if query else "")
        timeout = self._http.timeout if read_timeout is None else httpx.Timeout(read_timeout, connect=read_timeout)
        try:
            response = self._http.get(url, headers=headers, timeout=timeout)
        except httpx.TransportError as exc:
            connect_failed = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
            raise Transient(describe_transport_error(exc), connect_failed=connect_failed) from None
        status = response.status_code
        if status == 200:
            return response.content
        if status in (401, 403):
            raise PlexAuthError(status)
        if status == 404:
            raise PlexNotFound(f"Plex has nothing at {path}")
        if status >= 500:
            raise Transient(f"HTTP {status}", status)
        raise PlexError(f"Plex answered HTTP {status} for {path}")

    def _log_retry(self, path: str, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        reason = exc.reason if isinstance(exc, Transient) else "?"
        log.warning("plex.retry", path=path, attempt=state.attempt_number, reason=reason)


def parse_xml(body: bytes, path: str = "") -> etree._Element:
    try:
        return etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError:
        raise PlexError(f"Plex sent a malformed answer for {path or 'a request'}") from None
