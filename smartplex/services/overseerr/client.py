"""An HTTP client for the Overseerr / Seerr API (`{base}/api/v1`, tests/specs/overseerr-api.yml).

- The API key travels in `X-Api-Key` only; `as_user` adds `X-API-User`, so Seerr applies that person's own
  permissions, quotas and auto-approve (without it Seerr acts as its admin, user 1).
- Query values are percent-encoded by us, every reserved character included (a space is `%20`, never `+`;
  the `/` of "Face/Off" is `%2F`): Seerr's request validator answers 400 to anything raw.
- Reads (GET) are retried with exponential backoff on timeouts, dropped connections and 5xx; writes never are
  (a request that timed out may still have been made). Redirects are not followed (the key would go along).
- Every failure is an `OverseerrError` whose message is safe to show: it never holds the key or the URL's secrets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import orjson
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from smartplex import __version__
from smartplex.log import get_logger
from smartplex.services.plex.client import describe_transport_error

log = get_logger(__name__)

API_PATH = "/api/v1"
MAX_BODY = 8 * 1024 * 1024  # a search page is a few KB; far more is not Seerr


class OverseerrError(Exception):
    """Talking to Seerr failed; the message is safe to show."""


class OverseerrUnreachable(OverseerrError):
    """No usable answer: connection refused, timeout, dropped connection, 5xx (after the retries of a read)."""


class OverseerrRejected(OverseerrError):
    """Seerr refused our API key (401, or 403 on the endpoint itself)."""


class OverseerrBadAnswer(OverseerrError):
    """Seerr answered something that is not the JSON its API describes."""


class OverseerrRefused(OverseerrError):
    """Seerr understood and said no (permission, quota, already requested, not found); `status` is its HTTP status,
    `detail` its own words."""

    def __init__(self, message: str, status: int, detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


class _Transient(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Timeouts:
    connect: float = 3.0
    read: float = 10.0


def encode_query(params: Mapping[str, Any]) -> str:
    """`name=value&…` with every reserved character of a value percent-encoded (None values left out)."""
    return "&".join(f"{quote(str(k), safe='')}={quote(str(v), safe='')}" for k, v in params.items() if v is not None)


def refusal(status: int, detail: str) -> str:
    """Seerr's refusal of a request, in words a member understands."""
    lowered = detail.lower()
    if "quota" in lowered:
        return "Overseerr / Seerr says you have reached your request limit for now."
    if status == 409 or "already exists" in lowered:
        return "That title has already been requested."
    if status == 202 or "no seasons" in lowered:
        return "Every season you picked is already requested or available."
    if "blacklist" in lowered:
        return "The admin has blocked requests for that title in Overseerr / Seerr."
    if status in (401, 403):
        return "Your Overseerr / Seerr account may not make this request. Ask the admin for the permission."
    if status == 404:
        return "Overseerr / Seerr does not know that title."
    return f"Overseerr / Seerr refused the request (HTTP {status})."


class OverseerrClient:
    """One Seerr instance: pooled keep-alive connections; `close()` when done."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeouts: Timeouts = Timeouts(),
        attempts: int = 3,
        backoff: float = 0.25,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.attempts = max(attempts, 1)
        self.backoff = backoff
        self._http = httpx.Client(
            headers={"X-Api-Key": api_key, "Accept": "application/json", "User-Agent": f"SmartPlex/{__version__}"},
            timeout=httpx.Timeout(timeouts.read, connect=timeouts.connect),
            limits=httpx.Limits(max_connections=8, max_keepalive_connections=8),
            follow_redirects=False,
            transport=transport,
        )

    def __enter__(self) -> OverseerrClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # ----- the API

    def status(self) -> dict[str, Any]:
        """`GET /status` (public): the version."""
        return self._object(self.get("/status"))

    def me(self, as_user: int | None = None) -> dict[str, Any]:
        """`GET /auth/me`: the user the key acts as (checks the key)."""
        return self._object(self.get("/auth/me", as_user=as_user))

    def search(self, query: str, page: int = 1, *, as_user: int | None = None) -> dict[str, Any]:
        return self._object(self.get("/search", {"query": query, "page": page}, as_user=as_user))

    def details(self, media_type: str, tmdb_id: int, *, as_user: int | None = None) -> dict[str, Any]:
        """`GET /movie/{id}` or `GET /tv/{id}`: a title with its seasons and what Seerr knows of it (mediaInfo)."""
        if media_type not in ("movie", "tv"):
            raise ValueError("media_type is movie or tv")
        return self._object(self.get(f"/{media_type}/{int(tmdb_id)}", as_user=as_user))

    def users(self, take: int = 100, skip: int = 0) -> dict[str, Any]:
        return self._object(self.get("/user", {"take": take, "skip": skip, "sort": "created"}))

    def requests(
        self, *, take: int = 50, skip: int = 0, status_filter: str = "all", sort: str = "modified", as_user: int | None = None
    ) -> dict[str, Any]:
        params = {"take": take, "skip": skip, "filter": status_filter, "sort": sort}
        return self._object(self.get("/request", params, as_user=as_user))

    def request(self, request_id: int, *, as_user: int | None = None) -> dict[str, Any]:
        return self._object(self.get(f"/request/{int(request_id)}", as_user=as_user))

    def create_request(
        self, media_type: str, tmdb_id: int, seasons: list[int] | None = None, *, tvdb_id: int | None = None, as_user: int
    ) -> dict[str, Any]:
        """`POST /request` as `as_user`: a movie, or the given seasons of a show. Refusals raise OverseerrRefused."""
        body: dict[str, Any] = {"mediaType": media_type, "mediaId": int(tmdb_id)}
        if media_type == "tv":
            body["seasons"] = [int(n) for n in seasons or []]
            if tvdb_id:
                body["tvdbId"] = int(tvdb_id)
        return self._object(self.send("POST", "/request", body, as_user=as_user, created=201))

    def delete_request(self, request_id: int, *, as_user: int | None = None) -> None:
        self.send("DELETE", f"/request/{int(request_id)}", as_user=as_user, created=204)

    def set_status(self, request_id: int, decision: str) -> dict[str, Any]:
        """`POST /request/{id}/approve|decline` as Seerr's admin."""
        if decision not in ("approve", "decline"):
            raise ValueError("decision is approve or decline")
        return self._object(self.send("POST", f"/request/{int(request_id)}/{decision}"))

    # ----- transport

    def get(self, path: str, params: Mapping[str, Any] | None = None, *, as_user: int | None = None) -> Any:
        """The JSON of `GET /api/v1{path}`, retried on transient failures."""
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=self.backoff, max=self.backoff * 8),
            retry=retry_if_exception_type(_Transient),
            before_sleep=lambda state: self._log_retry(path, state),
            reraise=True,
        )
        try:
            return retrying(self._once, "GET", path, params, None, as_user, 200)
        except _Transient as exc:
            raise OverseerrUnreachable(f"Overseerr / Seerr did not answer ({exc.reason}).") from None

    def send(
        self, method: str, path: str, body: Any = None, *, as_user: int | None = None, created: int = 200
    ) -> Any:
        """A write: tried once (it may have happened even when the answer never came)."""
        try:
            return self._once(method, path, None, body, as_user, created)
        except _Transient as exc:
            raise OverseerrUnreachable(f"Overseerr / Seerr did not answer ({exc.reason}).") from None

    def _once(
        self, method: str, path: str, params: Mapping[str, Any] | None, body: Any, as_user: int | None, expected: int
    ) -> Any:
        query = encode_query(params or {})
        url = f"{self.base_url}{API_PATH}{path}" + (f"?{query}" if query else "")
        headers = {"X-API-User": str(int(as_user))} if as_user else {}
        content = None
        if body is not None:
            content, headers["Content-Type"] = orjson.dumps(body), "application/json"
        try:
            response = self._http.request(method, url, content=content, headers=headers)
        except httpx.TransportError as exc:
            raise _Transient(describe_transport_error(exc)) from None
        status = response.status_code
        if status >= 500:
            raise _Transient(f"HTTP {status}")
        detail = _message(response.content)
        if status == 401 or (status == 403 and "access this endpoint" in detail.lower()):
            raise OverseerrRejected(
                "Overseerr / Seerr rejected the API key." if not as_user
                else "Overseerr / Seerr rejected the API key or the linked Seerr user."
            )  # fmt: skip
        if status != expected:
            if status in (202, 400, 403, 404, 409, 422, 429) or 200 <= status < 300:
                raise OverseerrRefused(refusal(status, detail), status, detail[:300])
            raise OverseerrBadAnswer(f"Overseerr / Seerr answered HTTP {status}.")
        if status == 204 or method == "DELETE":
            return None
        if len(response.content) > MAX_BODY:
            raise OverseerrBadAnswer("Overseerr / Seerr sent an answer far larger than expected.")
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise OverseerrBadAnswer("Overseerr / Seerr sent an answer that is not JSON.") from None

    @staticmethod
    def _object(data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise OverseerrBadAnswer("Overseerr / Seerr sent an answer of the wrong shape.")
        return data

    def _log_retry(self, path: str, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        log.warning("overseerr.retry", path=path, attempt=state.attempt_number, reason=getattr(exc, "reason", "?"))


def _message(body: bytes) -> str:
    """Seerr's `{"message": ...}` of an error answer ("" when there is none)."""
    try:
        data = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return ""
    message = data.get("message") if isinstance(data, dict) else None
    return message if isinstance(message, str) else ""
