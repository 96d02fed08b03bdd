"""The one way SmartPlex calls Seerr: the household's connection (integrations/store), its circuit breaker, and
a pooled client per address and key.

Every call goes through `call()`: refused at once while the circuit is open, and counted into the integration's
health afterwards. A refusal of a request (quota, permission, duplicate) is Seerr working, not failing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from smartplex.config import get_settings
from smartplex.log import get_logger
from smartplex.models import IntegrationKind
from smartplex.services.integrations import store
from smartplex.services.overseerr.client import (
    OverseerrClient,
    OverseerrError,
    OverseerrRefused,
    OverseerrRejected,
    OverseerrUnreachable,
    Timeouts,
)

log = get_logger(__name__)

KIND = IntegrationKind.OVERSEERR
T = TypeVar("T")


class NotConfigured(OverseerrError):
    def __init__(self) -> None:
        super().__init__("Overseerr / Seerr is not connected yet. The admin connects it on Admin → Integrations.")


_clients: dict[tuple[str, str, float], OverseerrClient] = {}
_lock = threading.Lock()


def _client(base_url: str, api_key: str) -> OverseerrClient:
    """A pooled client for this address and key (a new httpx client costs tens of milliseconds)."""
    key = (base_url, api_key, get_settings().overseerr_timeout)
    with _lock:
        client = _clients.get(key)
        if client is None:
            for old in [k for k in _clients if k[0] == base_url]:  # a changed key or timeout replaces the old one
                _clients.pop(old).close()
            client = _clients[key] = OverseerrClient(base_url, api_key, timeouts=Timeouts(read=key[2]))
        return client


def reset() -> None:
    """Close every pooled client (tests, or after the connection was changed)."""
    with _lock:
        for client in _clients.values():
            client.close()
        _clients.clear()


def configured() -> bool:
    connection = store.connection(KIND)
    return connection is not None and bool(connection.secret)


def call(operation: Callable[[OverseerrClient], T]) -> T:
    """Run `operation` against the connected Seerr, through the circuit breaker."""
    connection = store.connection(KIND)
    if connection is None or not connection.secret:
        raise NotConfigured
    retry_at = store.blocked_until(KIND)
    if retry_at is not None:
        raise OverseerrUnreachable(
            f"Overseerr / Seerr kept failing; SmartPlex tries it again after {retry_at:%H:%M} UTC."
        )
    started = time.perf_counter()
    try:
        result = operation(_client(connection.base_url, connection.secret))
    except OverseerrRefused:
        store.record_call(KIND, None, _ms(started))
        raise
    except OverseerrRejected as exc:
        store.record_call(KIND, str(exc), rejected=True)
        raise
    except OverseerrError as exc:
        log.warning("overseerr.call_failed", error=str(exc))
        store.record_call(KIND, str(exc))
        raise
    store.record_call(KIND, None, _ms(started))
    return result


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
