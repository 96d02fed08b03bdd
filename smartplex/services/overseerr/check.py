"""The admin's "Test" of the Seerr connection: is it reachable, does it take our key, which version, how fast."""

from __future__ import annotations

import time
from dataclasses import dataclass

from smartplex.db import session
from smartplex.models import IntegrationKind
from smartplex.services import auth
from smartplex.services.integrations import store
from smartplex.services.overseerr import gateway
from smartplex.services.overseerr.client import (
    OverseerrClient,
    OverseerrError,
    OverseerrRejected,
    OverseerrUnreachable,
    Timeouts,
)

KIND = IntegrationKind.OVERSEERR
TIMEOUTS = Timeouts(connect=3.0, read=5.0)


@dataclass(frozen=True)
class CheckResult:
    reachable: bool
    authenticated: bool
    version: str
    latency_ms: int
    message: str  # what to do next, in words ("" when all is well)


def check(actor_id: int) -> CheckResult:
    """Ask the stored Seerr for its status (reachable, version) and who our key is (authenticated); the outcome
    goes into the integration's health like every call."""
    with session() as s:
        auth.require_admin(s, actor_id)
    connection = store.connection(KIND)
    if connection is None or not connection.secret:
        return CheckResult(False, False, "", 0, "Enter the address and the API key first.")
    started = time.perf_counter()
    version, reachable, latency = "", False, 0
    with OverseerrClient(connection.base_url, connection.secret, timeouts=TIMEOUTS, attempts=1) as client:
        try:
            version = str(client.status().get("version") or "")[:32]
            reachable = True
            latency = round((time.perf_counter() - started) * 1000)
            client.me()
        except OverseerrRejected as exc:
            store.record_call(KIND, str(exc), rejected=True)
            return CheckResult(True, False, version, latency, "Overseerr / Seerr rejected the API key. Copy it again "
                               "from Seerr's Settings → General.")  # fmt: skip
        except OverseerrUnreachable as exc:
            store.record_call(KIND, str(exc))
            return CheckResult(False, False, "", 0, f"{exc} Check the address, and that SmartPlex can reach it.")
        except OverseerrError as exc:
            store.record_call(KIND, str(exc))
            return CheckResult(reachable, False, version, 0, f"{exc} Is this address really Overseerr / Seerr?")
    store.record_call(KIND, None, latency)
    return CheckResult(True, True, version, latency, "")


def normalize_url(raw: str) -> str:
    """`scheme://host[:port][/path]` of Seerr, without a trailing slash or `/api/v1`; IntegrationError otherwise."""
    return store.normalize_base_url(raw, "Overseerr / Seerr", "http://192.168.1.20:5055", strip="/api/v1")


def connect(actor_id: int, base_url: str, api_key: str) -> CheckResult:
    """Store Seerr's address and key (a blank key keeps the stored one), then test them."""
    url = normalize_url(base_url)
    key = (api_key or "").strip()
    if len(key) > 256 or any(ch.isspace() for ch in key):
        raise store.IntegrationError("That does not look like an API key: copy it from Seerr's Settings → General.")
    if not key and (store.connection(KIND) is None or not store.connection(KIND).secret):
        raise store.IntegrationError("Enter the API key from Seerr's Settings → General.")
    store.save(actor_id, KIND, base_url=url, secret=key or None)
    gateway.reset()
    return check(actor_id)
