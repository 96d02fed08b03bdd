"""The AI provider's health check (its configuration is services.ai.provider).

The check is `GET {base}/models` (free, and it checks the key): 401/403 means the key is refused; a list
without the configured model means the endpoint answers but chat would fail.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx
import orjson

from smartplex import __version__
from smartplex.services.integrations import store
from smartplex.services.plex.client import describe_transport_error

MAX_BODY = 4 * 1024 * 1024


class ProviderError(Exception):
    """The endpoint failed or refused; the message is safe to show (never the key). `rejected`: the key is wrong."""

    def __init__(self, message: str, *, rejected: bool = False) -> None:
        super().__init__(message)
        self.rejected = rejected


@dataclass(frozen=True)
class Models:
    ids: list[str]
    latency_ms: int


def models(connection: store.Connection, timeout: float) -> Models:
    """The models the endpoint offers; ProviderError saying why when it does not answer as one should."""
    headers = {"Accept": "application/json", "User-Agent": f"SmartPlex/{__version__}"}
    if connection.secret:
        headers["Authorization"] = f"Bearer {connection.secret}"
    began = time.perf_counter()
    try:
        with httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)), follow_redirects=False) as http:
            response = http.get(f"{connection.base_url}/models", headers=headers)
    except httpx.TransportError as exc:
        raise ProviderError(f"Unreachable: {describe_transport_error(exc)}") from None
    latency = int((time.perf_counter() - began) * 1000)
    if response.status_code in (401, 403):
        raise ProviderError("API key rejected", rejected=True)
    if response.status_code != 200:
        raise ProviderError(f"Answered HTTP {response.status_code}")
    if len(response.content) > MAX_BODY:
        raise ProviderError("Answered far more than a list of models")
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        kind = "HTML" if b"<html" in response.content[:500].lower() else "something other than JSON"
        raise ProviderError(f"Answered {kind}, not an OpenAI-compatible API: check the address (it ends in /v1)") from None
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        raise ProviderError("Answered JSON without a list of models: is this an OpenAI-compatible API?")
    return Models([str(m["id"]) for m in data if isinstance(m, dict) and m.get("id")], latency)
