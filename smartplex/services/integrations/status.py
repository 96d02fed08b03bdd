"""What the probes found, as the Integrations page, the test API and /api/health show it: per integration its
status in words, version, last check, last error, circuit, and its last 24 hours of latency. Read from stored
rows only: nothing here calls out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from smartplex.db import reading
from smartplex.models import INTEGRATIONS, PROBES, SERVERS, iso, utcnow
from smartplex.services.integrations import breaker
from smartplex.services.integrations.probes import DEGRADED, DOWN, OK, REJECTED, SLOW, name_of

T, P = INTEGRATIONS, PROBES
WINDOW = timedelta(hours=24)
BUCKETS = 96  # 15 minutes each
HEALTHY = (OK, SLOW, DEGRADED)  # answering (yellow for the last two); DOWN and REJECTED are red


@dataclass(frozen=True)
class Report:
    id: int
    kind: str
    name: str
    status: str  # ok | slow | degraded | down | rejected | unknown (never checked)
    summary: str  # the status in words: "Healthy · 42 ms", "Token rejected", "Unreachable: connection refused"
    latency_ms: int
    version: str
    checked_at: str | None
    error: str
    circuit: str  # closed | open | half_open
    retry_at: str | None  # while the circuit is open: when calls go through again
    failures_in_a_row: int
    server_id: int | None
    last_failure: str = ""  # the latest failed probe's reason, also after the service recovered
    last_failure_at: str | None = None


@dataclass(frozen=True)
class Point:
    """One stretch of the sparkline: the slowest answer in it, by how it went (one of the three is non-zero)."""

    at: str  # "14:15" UTC, the stretch's start
    ok: int = 0
    slow: int = 0
    down: int = 0


def words(status: str, latency_ms: int, error: str) -> str:
    if status == OK:
        return f"Healthy · {latency_ms} ms" if latency_ms else "Healthy"
    if status == SLOW:
        return f"Slow · answered in {latency_ms / 1000:.1f} s"
    if status in (DEGRADED, DOWN, REJECTED):
        return error or ("Credentials rejected" if status == REJECTED else "Not answering")
    return "Not checked yet"


def _retry_at(row: sa.Row) -> str | None:
    if row.circuit_state != "open" or row.circuit_opened_at is None:
        return None
    return iso(row.circuit_opened_at + breaker.cool_down(row.consecutive_failures))


def _report(row: sa.Row) -> Report:
    status = row.health_status if row.last_checked_at is not None else "unknown"
    error = row.last_error or ""
    return Report(
        id=row.id, kind=row.kind, name=name_of(row.kind, row.server_name), status=status,
        summary=words(status, row.last_latency_ms, error), latency_ms=row.last_latency_ms, version=row.version or "",
        checked_at=iso(row.last_checked_at), error=error, circuit=row.circuit_state, retry_at=_retry_at(row),
        failures_in_a_row=row.consecutive_failures, server_id=row.server_id, last_failure=row.failure or "",
        last_failure_at=iso(row.failed_at),
    )  # fmt: skip


def _latest(column: sa.ColumnElement, *conditions: sa.ColumnElement) -> sa.ScalarSelect:
    """SQL: `column` of the integration's latest probe that meets `conditions`."""
    return (
        sa.select(column).where(P.c.integration_id == T.c.id, *conditions).order_by(P.c.checked_at.desc()).limit(1)
        .scalar_subquery()
    )  # fmt: skip


def reports(integration_id: int | None = None) -> list[Report]:
    """Every configured integration (or one), Plex servers first, with the version its last answer gave."""
    failed = P.c.status.in_((DOWN, REJECTED))
    query = (
        sa.select(T, SERVERS.c.name.label("server_name"), _latest(P.c.version, P.c.version.is_not(None)).label("version"),
                  _latest(P.c.error, failed).label("failure"), _latest(P.c.checked_at, failed).label("failed_at"))
        .select_from(T.outerjoin(SERVERS, SERVERS.c.id == T.c.server_id))
        .where(T.c.base_url != "")
        .order_by(T.c.server_id.is_(None), T.c.id)
    )  # fmt: skip
    if integration_id is not None:
        query = query.where(T.c.id == integration_id)
    with reading() as conn:
        return [_report(row) for row in conn.execute(query).all()]


def report(integration_id: int) -> Report | None:
    found = reports(integration_id)
    return found[0] if found else None


def history(now: datetime | None = None) -> dict[int, list[Point]]:
    """Per integration probed in the last 24 hours, those hours in BUCKETS stretches, oldest first (a stretch
    without probes is all zeros, so the bars sit where their time is)."""
    now = now or utcnow()
    start = now - WINDOW
    width = WINDOW / BUCKETS
    with reading() as conn:
        rows = conn.execute(
            sa.select(P.c.integration_id, P.c.checked_at, P.c.status, P.c.latency_ms)
            .where(P.c.checked_at >= start).order_by(P.c.integration_id, P.c.checked_at)
        ).all()  # fmt: skip
    found: dict[int, dict[int, dict[str, int]]] = {}
    for integration_id, checked_at, status, latency in rows:
        bucket = min(int((checked_at - start) / width), BUCKETS - 1)
        column = "down" if status not in HEALTHY else "slow" if status in (SLOW, DEGRADED) else "ok"
        slot = found.setdefault(integration_id, {}).setdefault(bucket, {})
        slot[column] = max(slot.get(column, 0), max(int(latency), 1))
    points: dict[int, list[Point]] = {}
    for integration_id, buckets in found.items():
        tallest = max((value for slot in buckets.values() for column, value in slot.items() if column != "down"), default=1)
        points[integration_id] = []
        for bucket in range(BUCKETS):
            at, slot = f"{start + width * bucket:%H:%M}", buckets.get(bucket, {})
            if "down" in slot:  # a failure stands as tall as the slowest answer, so it cannot be missed
                points[integration_id].append(Point(at, down=tallest))
            elif slot:
                worst = "slow" if "slow" in slot else "ok"
                points[integration_id].append(Point(at, **{worst: slot[worst]}))
            else:
                points[integration_id].append(Point(at))
    return points


def marker() -> str:
    """Changes whenever a probe is stored (cheap: one indexed maximum), so an open page knows to reload."""
    with reading() as conn:
        return str(conn.execute(sa.select(sa.func.max(P.c.id))).scalar() or 0)
