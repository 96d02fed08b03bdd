"""Finding a working address for a Plex server.

`race()` asks every candidate URL at once (`GET /` with the token header, short timeouts) and keeps
the first that answers 200 with the expected machine identifier; the others are cancelled at that
moment. Sync and the other bulk paths use the stored preferred URL directly (`open_client`); only
when it stops answering do they re-race the stored candidates, store the winner and retry once.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from smartplex.log import get_logger
from smartplex.models import Server
from smartplex.services.plex import servers
from smartplex.services.plex.client import (
    DEFAULT_TIMEOUTS,
    PlexClient,
    PlexError,
    PlexUnreachable,
    Timeouts,
    Transient,
    base_headers,
    describe_transport_error,
    parse_xml,
)

log = get_logger(__name__)

CONNECT_TIMEOUT = 3.0
PROBE_TIMEOUT = 5.0
FIRST_ANSWER_TIMEOUT = 4.0  # the stored address's first answer; then the other addresses are raced
_SHORT_REASONS = {"connection refused": "refused", "connect timeout": "timeout"}


@dataclass(frozen=True)
class Probe:
    """What one candidate URL answered; `reason` says why it is not usable when `ok` is False."""

    url: str
    ok: bool
    reason: str = ""
    machine_id: str = ""
    name: str = ""
    version: str = ""
    latency_ms: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class ConnectError(PlexUnreachable):
    """No candidate URL answered as the expected server; the message lists each URL's reason."""

    def __init__(self, probes: list[Probe]) -> None:
        self.probes = probes
        detail = "; ".join(f"{p.url} ({p.reason})" for p in probes) or "no addresses to try"
        super().__init__(f"Plex unreachable: no address answered as the server: {detail}")


def normalize_url(raw: str) -> str:
    """`scheme://host[:port][/path]` without trailing slash, query or credentials; http:// if no scheme."""
    text = raw.strip()
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"only http and https addresses are supported, not {parts.scheme}://")
    host = parts.hostname
    if not host:
        raise ValueError("the address has no host")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("the port is not a number") from None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return f"{parts.scheme.lower()}://{netloc}{parts.path.rstrip('/')}"


def usable_urls(urls: list[str]) -> list[str]:
    """The valid addresses among `urls`, normalised and without duplicates, in their order."""
    return _unique_normalized(urls)[0]


def _unique_normalized(urls: list[str]) -> tuple[list[str], list[Probe]]:
    valid: list[str] = []
    invalid: list[Probe] = []
    for raw in urls:
        try:
            url = normalize_url(raw)
        except ValueError as exc:
            invalid.append(Probe(url=raw.strip(), ok=False, reason=f"invalid address: {exc}"))
            continue
        if url not in valid:
            valid.append(url)
    return valid, invalid


def _identify(url: str, body: bytes, expected: str | None, began: float) -> Probe:
    try:
        root = parse_xml(body)
    except PlexError:
        return Probe(url=url, ok=False, reason="not a Plex server")
    machine_id = root.get("machineIdentifier") or ""
    if not machine_id:
        return Probe(url=url, ok=False, reason="not a Plex server")
    if expected and machine_id != expected:
        return Probe(url=url, ok=False, reason="wrong server", machine_id=machine_id)
    latency = int((time.perf_counter() - began) * 1000)
    return Probe(
        url=url,
        ok=True,
        machine_id=machine_id,
        name=root.get("friendlyName") or "",
        version=root.get("version") or "",
        latency_ms=latency,
    )


async def _probe(client: httpx.AsyncClient, url: str, expected: str | None, total_timeout: float) -> Probe:
    began = time.perf_counter()
    try:
        async with asyncio.timeout(total_timeout):
            response = await client.get(url + "/")
    except TimeoutError:
        return Probe(url=url, ok=False, reason="timeout")
    except httpx.TransportError as exc:
        reason = describe_transport_error(exc)
        return Probe(url=url, ok=False, reason=_SHORT_REASONS.get(reason, reason))
    if response.status_code in (401, 403):
        return Probe(url=url, ok=False, reason="token rejected")
    if response.status_code != 200:
        return Probe(url=url, ok=False, reason=f"HTTP {response.status_code}")
    return _identify(url, response.content, expected, began)


def _async_client(token: str, connect_timeout: float, total_timeout: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        headers=base_headers(token),
        timeout=httpx.Timeout(total_timeout, connect=min(connect_timeout, total_timeout)),
        follow_redirects=False,
    )


async def probe_each(
    urls: list[str],
    token: str,
    expected_machine_id: str | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
    total_timeout: float = PROBE_TIMEOUT,
) -> AsyncIterator[Probe]:
    """Ask every candidate concurrently and yield each answer as it arrives (invalid addresses first), so a
    wizard shows every address's result at once and need not wait for the slowest."""
    valid, invalid = _unique_normalized(urls)
    for probe in invalid:
        yield probe
    async with _async_client(token, connect_timeout, total_timeout) as client:
        tasks = [asyncio.create_task(_probe(client, url, expected_machine_id, total_timeout)) for url in valid]
        try:
            for next_done in asyncio.as_completed(tasks):
                yield await next_done
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


async def probe_all(urls: list[str], token: str, expected_machine_id: str | None = None) -> list[Probe]:
    """Every candidate's answer, in the order given (invalid addresses last)."""
    found = {probe.url: probe async for probe in probe_each(urls, token, expected_machine_id)}
    valid, invalid = _unique_normalized(urls)
    return [found[url] for url in valid] + invalid


async def race(
    urls: list[str],
    token: str,
    expected_machine_id: str | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
    total_timeout: float = PROBE_TIMEOUT,
) -> Probe:
    """The first candidate that answers as the expected server; the rest are cancelled then.

    Raises ConnectError listing every candidate's reason when none does.
    """
    failures: list[Probe] = []
    answers = probe_each(urls, token, expected_machine_id, connect_timeout, total_timeout)
    async with contextlib.aclosing(answers):  # closing it cancels the probes still running
        async for probe in answers:
            if probe.ok:
                log.info("plex.race.won", url=probe.url, latency_ms=probe.latency_ms, candidates=len(urls))
                return probe
            failures.append(probe)
    order = {url: n for n, url in enumerate(usable_urls(urls))}
    raise ConnectError(sorted(failures, key=lambda p: order.get(p.url, len(order))))


def race_blocking(urls: list[str], token: str, expected_machine_id: str | None = None) -> Probe:
    """`race()` from synchronous code (a worker thread when this thread already runs an event loop)."""
    coroutine = race(urls, token, expected_machine_id)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


# --------------------------------------------------------------------------- stored servers


def _stored(server_id: int) -> tuple[Server, str]:
    server = servers.get_server(server_id)
    if server is None:
        raise servers.ServerError("No such Plex server.")
    url = server.preferred_connection_url or next(iter(server.connection_urls or []), None)
    if not url:
        raise servers.ServerError("This Plex server has no address.")
    try:
        return server, normalize_url(url)
    except ValueError as exc:
        raise servers.ServerError(f"The stored Plex address is not usable: {exc}.") from None


def connection(server_id: int) -> tuple[str, str]:
    """(preferred base URL, token) of a stored server, without any request."""
    server, url = _stored(server_id)
    return url, servers.server_token(server)


class ServerClient(PlexClient):
    """A client on a stored server's preferred URL that re-races its candidates once when it stops answering.

    The first request gets only FIRST_ANSWER_TIMEOUT: a stored address that accepts connections and never
    answers (a dead reverse proxy, a sleeping NAS) would otherwise hold a sync for attempts x the read timeout
    before the other addresses are tried. `on_status` hears what is happening ("trying the other addresses").
    """

    def __init__(
        self,
        server_id: int,
        *,
        on_status: Callable[[str], None] | None = None,
        first_answer_timeout: float = FIRST_ANSWER_TIMEOUT,
        **options: Any,
    ) -> None:
        server, url = _stored(server_id)
        token = servers.server_token(server)
        super().__init__(url, token, **options)
        self.server_id = server_id
        self._token = token
        self._machine_id = server.machine_id
        self._candidates = list(dict.fromkeys([url, *(server.connection_urls or [])]))
        self._on_status = on_status
        self._first_answer_timeout = first_answer_timeout
        self._answered = False
        self._reraced = False

    def retryable(self, exc: BaseException) -> bool:
        """Not reaching the preferred URL at all is answered by a re-race at once, not by retrying it."""
        first_failure = isinstance(exc, Transient) and exc.connect_failed and not self._reraced
        return super().retryable(exc) and not first_failure

    def get(self, path: str, query: str = "", headers: Mapping[str, str] | None = None) -> bytes:
        if not self._answered:
            body = self._first_answer(path, query, headers)
            if body is not None:
                return body
        try:
            body = super().get(path, query, headers)
        except PlexUnreachable:
            if self._reraced:
                raise
            self._rerace()
            body = super().get(path, query, headers)
        self._answered = True
        return body

    def _first_answer(self, path: str, query: str, headers: Mapping[str, str] | None) -> bytes | None:
        """The first request, with a short timeout; a silent stored address is replaced by a re-race at once.
        None when the request should go the usual way (after a re-race, or to be retried after a 5xx)."""
        try:
            body = self._once(path, query, headers, read_timeout=self._first_answer_timeout)
        except Transient as exc:
            if exc.status is not None or self._reraced:
                return None
            self._rerace()
            return None
        self._answered = True
        return body

    def _rerace(self) -> None:
        self._reraced = True
        log.info("plex.preferred_url.silent", server_id=self.server_id, url=self.base_url)
        if self._on_status is not None:
            self._on_status(f"Plex is not answering at {self.base_url}; trying the other addresses")
        winner = race_blocking(self._candidates, self._token, self._machine_id)
        if winner.url != self.base_url:
            log.info("plex.preferred_url.changed", server_id=self.server_id, url=winner.url)
            servers.set_preferred_url(self.server_id, winner.url)
            if self._on_status is not None:
                self._on_status(f"Connected at {winner.url}")
        self.base_url = winner.url


@contextlib.contextmanager
def open_client(
    server_id: int,
    *,
    timeouts: Timeouts = DEFAULT_TIMEOUTS,
    attempts: int = 3,
    backoff: float = 0.5,
    on_status: Callable[[str], None] | None = None,
) -> Iterator[ServerClient]:
    """A pooled client for a stored server, closed on exit."""
    client = ServerClient(server_id, timeouts=timeouts, attempts=attempts, backoff=backoff, on_status=on_status)
    try:
        yield client
    finally:
        client.close()
