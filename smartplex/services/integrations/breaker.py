"""A circuit breaker kept on an `integration` row, so every process and every restart sees the same state.

Closed: calls go through, failures are counted. The FAILURES_TO_OPEN-th failure in a row opens it: calls are
refused without contacting the service until a cool-down has passed (COOL_DOWN, doubling with each further
failure, at most MAX_COOL_DOWN). Then it is half-open: one call goes through; success closes it, failure opens
it again at once. The caller holds the row in its own session and commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from smartplex.models import Integration

OK, DOWN, REJECTED = "ok", "down", "rejected"  # health_status: answering; not answering; refusing our credentials
FAILURES_TO_OPEN = 3
COOL_DOWN = timedelta(minutes=5)
MAX_COOL_DOWN = timedelta(hours=1)


def cool_down(consecutive_failures: int) -> timedelta:
    """COOL_DOWN once the circuit opens, doubling with each further failure, at most MAX_COOL_DOWN."""
    doublings = max(consecutive_failures - FAILURES_TO_OPEN, 0)
    return min(COOL_DOWN * (2 ** min(doublings, 10)), MAX_COOL_DOWN)


def blocked_until(row: Integration, now: datetime) -> datetime | None:
    """When calls may go through again while the circuit is open; None when they may now (an open circuit
    whose cool-down has passed turns half-open)."""
    if row.circuit_state != "open" or row.circuit_opened_at is None:
        return None
    retry_at = row.circuit_opened_at + cool_down(row.consecutive_failures)
    if now < retry_at:
        return retry_at
    row.circuit_state = "half_open"
    return None


def record(row: Integration, error: str | None, now: datetime, *, rejected: bool = False) -> None:
    """Count a finished call: a success closes the circuit, the FAILURES_TO_OPEN-th failure in a row (or any
    failure while half-open) opens it. `rejected`: the service answered but refused our credentials."""
    row.last_checked_at = now
    if error is None:
        row.consecutive_failures, row.circuit_state, row.circuit_opened_at = 0, "closed", None
        row.health_status, row.last_error = OK, None
        return
    row.consecutive_failures += 1
    row.health_status, row.last_error = REJECTED if rejected else DOWN, error[:1000]
    if row.circuit_state == "half_open" or row.consecutive_failures >= FAILURES_TO_OPEN:
        row.circuit_state, row.circuit_opened_at = "open", now
