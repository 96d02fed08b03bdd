"""A small client for Tautulli's API v2 (`/api/v2`, one `cmd` per call, JSON answers).

The API key travels in a form body (Tautulli reads parameters from the query string or the body alike), never
in a URL we build, so it cannot reach an access log. Tautulli reports its own errors as HTTP 400 with a message
(`{"response": {"result": "error", "message": ...}}`): that message is what the admin sees. Reads are retried
with backoff on timeouts, dropped connections and 5xx; a wrong key or a bad request is not.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from smartplex.services.plex.client import describe_transport_error

TIMEOUT = httpx.Timeout(15.0, connect=5.0)
PAGE_LENGTH = 500


class TautulliError(Exception):
    """Tautulli refused or failed; the message is safe to show (never the key). `rejected`: the key is wrong."""

    def __init__(self, message: str, *, rejected: bool = False) -> None:
        super().__init__(message)
        self.rejected = rejected


class _Transient(TautulliError):
    """Worth another try: a timeout, a dropped connection, a 5xx."""


@dataclass(frozen=True)
class HistoryPage:
    total: int  # rows in Tautulli's whole history (recordsFiltered)
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class Identity:
    version: str
    machine_identifier: str  # of the Plex server Tautulli watches
    latency_ms: int


class TautulliClient:
    def __init__(self, base_url: str, api_key: str, *, timeout: httpx.Timeout = TIMEOUT, attempts: int = 3) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._attempts = attempts
        self._http = httpx.Client(timeout=timeout, follow_redirects=False)

    def __enter__(self) -> TautulliClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    def call(self, command: str, **params: Any) -> Any:
        """The `data` of one command's answer."""
        retrying = Retrying(
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential(multiplier=0.5, max=4),
            retry=retry_if_exception_type(_Transient),
            reraise=True,
        )
        try:
            return retrying(self._once, command, params)
        except _Transient as exc:
            raise TautulliError(str(exc)) from None

    def identity(self) -> Identity:
        """Who answers: Tautulli's version and the machine identifier of the Plex server it watches."""
        began = time.perf_counter()
        info = self.call("get_tautulli_info")
        latency = int((time.perf_counter() - began) * 1000)
        server = self.call("get_server_identity")
        machine = server.get("machine_identifier") if isinstance(server, dict) else None
        if not isinstance(info, dict) or not isinstance(machine, str) or not machine:
            raise TautulliError("Tautulli answered, but not with its version and Plex server.")
        return Identity(str(info.get("tautulli_version") or "?"), machine, latency)

    def owner_id(self) -> int | None:
        """The plex.tv id of the server's owner (Tautulli's admin user), whom Plex itself calls account 1."""
        users = self.call("get_users")
        for user in users if isinstance(users, list) else []:
            if isinstance(user, dict) and str(user.get("is_admin")) in ("1", "True", "true"):
                owner = user.get("user_id")
                return int(owner) if isinstance(owner, int) or (isinstance(owner, str) and owner.isdigit()) else None
        return None

    def history_page(self, start: int, length: int = PAGE_LENGTH) -> HistoryPage:
        """One page of the history, oldest first."""
        data = self.call("get_history", start=start, length=length, order_column="date", order_dir="asc")
        rows = data.get("data") if isinstance(data, dict) else None
        if not isinstance(rows, list):
            raise TautulliError("Tautulli's history answer has no rows.")
        total = data.get("recordsFiltered", data.get("recordsTotal"))
        return HistoryPage(total if isinstance(total, int) else len(rows), [r for r in rows if isinstance(r, dict)])

    def _once(self, command: str, params: dict[str, Any]) -> Any:
        form = {"apikey": self._api_key, "cmd": command, **{k: str(v) for k, v in params.items()}}
        try:
            response = self._http.post(self.base_url + "/api/v2", data=form)
        except httpx.TransportError as exc:
            reason = describe_transport_error(exc)
            if reason in ("TLS error", "host not found", "connection refused", "cannot connect"):
                raise TautulliError(f"Tautulli unreachable: {reason}") from None
            raise _Transient(f"Tautulli unreachable: {reason}") from None
        if response.status_code >= 500:
            raise _Transient(f"Tautulli failed: HTTP {response.status_code}")
        answer = _response(response)
        if answer.get("result") != "success":
            message = str(answer.get("message") or f"HTTP {response.status_code}")[:300]
            raise TautulliError(f"Tautulli refused: {message}", rejected="apikey" in message.lower())
        return answer.get("data")


def _response(response: httpx.Response) -> dict[str, Any]:
    """The `response` object of an answer; an HTML page or other JSON is a clear error."""
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        kind = "HTML" if b"<html" in response.content[:500].lower() else "something other than JSON"
        raise TautulliError(
            f"Tautulli answered {kind}, not its API: check the address (e.g. http://host:8181, with any base path)."
        ) from None
    answer = body.get("response") if isinstance(body, dict) else None
    if not isinstance(answer, dict):
        raise TautulliError("Tautulli answered JSON without a `response`: is this Tautulli's address?")
    return answer
