"""Which browser origins may talk to SmartPlex with the user's credentials.

Reflex wraps the HTTP app three times in Starlette's CORSMiddleware with credentials allowed and
`cors_allowed_origins` as the list; its default `*` echoed any Origin. rxconfig sets that list to
`Settings.cors_origins` (SMARTPLEX_PUBLIC_URL and SMARTPLEX_CORS_ORIGINS). A same-origin page needs no
CORS for HTTP, but the websocket (socket.io at /_event) checks every Origin itself, so it also accepts
the page's own address and the frontend's (the dev server's port differs from the backend's).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from smartplex.config import get_settings, origin

LOOPBACK = ("localhost", "127.0.0.1", "[::1]")


def _loopback_aliases(url: str) -> set[str]:
    """The frontend URL's origin, and on a loopback host the same origin under the other loopback names."""
    parts = urlsplit(origin(url))
    if parts.hostname not in ("localhost", "127.0.0.1", "::1"):
        return {origin(url)}
    port = f":{parts.port}" if parts.port else ""
    return {f"{parts.scheme}://{host}{port}" for host in LOOPBACK}


class SocketOrigins:
    """python-engineio's `cors_allowed_origins` as a callable `(origin, environ) -> bool`: the page's own
    origin (the Host it addressed, or X-Forwarded-Host behind a trusted proxy), the frontend's, and the
    configured ones."""

    def __init__(self, frontend_url: Callable[[], str | None]) -> None:
        self._frontend_url = frontend_url

    def __call__(self, request_origin: str | None, environ: Mapping[str, Any]) -> bool:
        if not request_origin:
            return True  # not a browser page; CORS does not apply
        netloc = urlsplit(request_origin).netloc.lower()
        hosts = {environ.get("HTTP_HOST", "").lower()}
        if get_settings().trust_proxy:
            hosts.add(environ.get("HTTP_X_FORWARDED_HOST", "").split(",")[-1].strip().lower())
        if netloc and netloc in hosts:
            return True
        allowed = set(get_settings().cors_origins)
        if frontend := self._frontend_url():
            allowed |= _loopback_aliases(frontend)
        return origin(request_origin) in allowed
