"""Library sync with Plex: full and incremental runs, single items, watch history.

A run pages through every movie and show section (shows, seasons and episodes are listed by type),
prefetching the next page in a background thread while the current one is written in its own
transaction. Only new or changed rows are written (changed = Plex's updatedAt differs, or the row
was marked removed), so a repeated sync costs reads only. A full run that saw every page marks the
rows it did not see as removed; a failed or cancelled run marks nothing. Each run is recorded in
`sync_run`, and a circuit breaker on the server's `integration` row stops contacting a Plex server
that keeps failing.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import operator
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from smartplex.db import dialect_insert, get_engine, session
from smartplex.log import get_logger
from smartplex.models import Integration, IntegrationKind, MediaItem, Server, SyncRun, User, WatchEvent, utcnow
from smartplex.services import vault
from smartplex.services.plex import connect, servers
from smartplex.services.plex.accounts import OWNER_ACCOUNT_ID
from smartplex.services.plex.client import DEFAULT_TIMEOUTS, PlexClient, PlexError, PlexNotFound, Timeouts
from smartplex.services.plex.parse import Page, parse_items, parse_page, to_datetime, to_int

log = get_logger(__name__)

FULL_EVERY = timedelta(days=7)
OVERLAP = timedelta(minutes=5)
PAGE_SIZE = 2000
HISTORY_PAGE_SIZE = 1000
REMOVE_CHUNK = 500
FAILURES_TO_OPEN = 3
COOL_DOWN = timedelta(minutes=5)
MAX_COOL_DOWN = timedelta(hours=1)
# Plex search types listed per section type, parents before children.
LISTED_TYPES = {"movie": ((1, "movies"),), "show": ((2, "shows"), (3, "seasons"), (4, "episodes"))}

MEDIA = MediaItem.__table__  # type: ignore[attr-defined]
WATCH = WatchEvent.__table__  # type: ignore[attr-defined]
_UPDATABLE = [c.name for c in MEDIA.c if c.name not in ("id", "server_id", "rating_key")]


@dataclass
class SyncProgress:
    phase: str
    section: str
    section_done: int
    section_total: int
    done: int
    total: int
    elapsed_s: float


@dataclass
class SyncResult:
    run_id: int
    kind: str
    status: str
    items_seen: int
    items_changed: int
    items_removed: int
    duration_ms: int
    error: str | None


@dataclass(frozen=True)
class SyncOptions:
    """Knobs for tests and benchmarks; the defaults are what the app uses."""

    page_size: int = PAGE_SIZE
    timeouts: Timeouts = DEFAULT_TIMEOUTS
    attempts: int = 3
    backoff: float = 0.5


class SyncCancelled(Exception):
    """The cancel flag was set; raised between pages."""


@dataclass(frozen=True)
class Listing:
    """One section listing of one item type, e.g. the episodes of "TV Shows"."""

    section_key: str
    label: str
    type_number: int
    query: str
    total: int

    @property
    def path(self) -> str:
        return f"/library/sections/{self.section_key}/all"


@dataclass
class _Counts:
    seen: int = 0
    changed: int = 0
    removed: int = 0
    keys: set[str] = field(default_factory=set)


# --------------------------------------------------------------------------- writing rows


@dataclass(frozen=True)
class _Upsert:
    """The compiled upsert for one dialect, executed straight on the DB-API cursor.

    Rows are encoded once here (JSON text; on SQLite also SQLAlchemy's datetime text) instead of
    through SQLAlchemy's per-value bind processors, which cost more than SQLite's own work.
    """

    sql: str
    order: Callable[[dict[str, Any]], tuple[Any, ...]] | None  # positional paramstyles: the bind order
    sqlite: bool

    def time(self, moment: datetime | None) -> Any:
        """A datetime as the driver stores and returns it for this dialect."""
        if self.sqlite and moment is not None:
            return f"{moment:%Y-%m-%d %H:%M:%S.%f}"  # SQLAlchemy's SQLite DateTime format
        return moment

    def encode(self, item: dict[str, Any], server_id: int, synced_at: Any) -> Any:
        row = item | {"server_id": server_id, "removed_at": None, "synced_at": synced_at}
        row["genres"] = orjson.dumps(item["genres"]).decode()
        row["directors"] = orjson.dumps(item["directors"]).decode()
        row["actors"] = orjson.dumps(item["actors"]).decode()
        if self.sqlite:
            row["added_at"] = self.time(item["added_at"])
            row["updated_at"] = self.time(item["updated_at"])
        return row if self.order is None else self.order(row)


_UPSERTS: dict[str, _Upsert] = {}


def _upsert(conn: Connection) -> _Upsert:
    """INSERT ... ON CONFLICT (server_id, rating_key) DO UPDATE, built with the dialect's insert and compiled once."""
    name = conn.dialect.name
    if name not in _UPSERTS:
        stmt = dialect_insert(name)(MEDIA)
        stmt = stmt.on_conflict_do_update(
            index_elements=["server_id", "rating_key"], set_={column: stmt.excluded[column] for column in _UPDATABLE}
        )
        compiled = stmt.compile(
            dialect=conn.dialect, column_keys=["server_id", "rating_key", *_UPDATABLE], for_executemany=True
        )
        order = operator.itemgetter(*compiled.positiontup) if compiled.positional and compiled.positiontup else None
        _UPSERTS[name] = _Upsert(str(compiled), order, name == "sqlite")
    return _UPSERTS[name]


def write_items(conn: Connection, server_id: int, items: list[dict[str, Any]], now: datetime) -> int:
    """Upsert the new or changed items among `items` (one page); unchanged rows are not touched."""
    if not items:
        return 0
    upsert = _upsert(conn)
    raw = sa.types.NullType()  # driver values, compared with `upsert.time()` without parsing every row
    rows = conn.execute(
        sa.select(
            MEDIA.c.rating_key, sa.type_coerce(MEDIA.c.updated_at, raw), sa.type_coerce(MEDIA.c.removed_at, raw)
        ).where(MEDIA.c.server_id == server_id, MEDIA.c.rating_key.in_([item["rating_key"] for item in items]))
    )
    existing = {key: (updated, removed) for key, updated, removed in rows}
    synced_at = upsert.time(now)
    changed = []
    for item in items:
        known = existing.get(item["rating_key"])
        if known is None or known[1] is not None or known[0] != upsert.time(item["updated_at"]):
            changed.append(upsert.encode(item, server_id, synced_at))
    if changed:
        conn.exec_driver_sql(upsert.sql, changed)
    return len(changed)


def _mark_removed(server_id: int, seen: set[str], now: datetime) -> int:
    """Set removed_at on this server's present rows whose rating key the full sync did not see."""
    with get_engine().begin() as conn:
        present = conn.execute(
            sa.select(MEDIA.c.rating_key).where(MEDIA.c.server_id == server_id, MEDIA.c.removed_at.is_(None))
        ).scalars()
        gone = [key for key in present if key not in seen]
        for start in range(0, len(gone), REMOVE_CHUNK):
            conn.execute(
                sa.update(MEDIA)
                .where(MEDIA.c.server_id == server_id, MEDIA.c.rating_key.in_(gone[start : start + REMOVE_CHUNK]))
                .values(removed_at=now)
            )
    return len(gone)


# --------------------------------------------------------------------------- listing and paging


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def listings(client: PlexClient, since: datetime | None) -> list[Listing]:
    """Every movie/show section listing with its total (a size-0 request each), parents first."""
    changed_since = f"&updatedAt%3E%3E={_epoch(since)}" if since else ""
    found = []
    for directory in client.get_xml("/library/sections"):
        section_type, key = directory.get("type", ""), directory.get("key", "")
        if section_type not in LISTED_TYPES or not key.isdigit():
            continue
        title = directory.get("title") or f"Section {key}"
        for type_number, noun in LISTED_TYPES[section_type]:
            query = f"type={type_number}&includeGuids=1{changed_since}"
            label = title if section_type == "movie" else f"{title} · {noun}"
            total = to_int(client.get_xml(f"/library/sections/{key}/all", query, start=0, size=0).get("totalSize"))
            found.append(Listing(key, label, type_number, query, total))
    return found


def pages(client: PlexClient, plan: list[Listing], page_size: int) -> Iterator[tuple[Listing, Page]]:
    """(listing, page) in order; the next page is fetched and parsed in a thread while the caller writes this one."""
    requests = [(listing, start) for listing in plan for start in range(0, listing.total, page_size)]
    if not requests:
        return

    def fetch(listing: Listing, start: int) -> Page:
        root = client.get_xml(listing.path, listing.query, start=start, size=page_size)
        return parse_page(root, listing.section_key)

    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="plex-prefetch") as pool:
        ahead = pool.submit(fetch, *requests[0])
        for n, (listing, _start) in enumerate(requests):
            page = ahead.result()
            if n + 1 < len(requests):
                ahead = pool.submit(fetch, *requests[n + 1])
            yield listing, page


class _Reporter:
    """Turns counters into SyncProgress callbacks (a no-op without a callback)."""

    def __init__(self, progress: Callable[[SyncProgress], None] | None, counts: _Counts, began: float) -> None:
        self.progress = progress
        self.counts = counts
        self.began = began
        self.total = 0

    def __call__(self, phase: str, section: str = "", section_done: int = 0, section_total: int = 0) -> None:
        if self.progress is not None:
            done = self.counts.seen
            elapsed = time.monotonic() - self.began
            self.progress(
                SyncProgress(phase, section, section_done, section_total, done, max(self.total, done), elapsed)
            )


def _sync_items(
    client: PlexClient,
    server_id: int,
    since: datetime | None,
    page_size: int,
    report: _Reporter,
    cancel: threading.Event | None,
) -> bool:
    """Page through every listing and write what changed; True when Plex's totals held still throughout."""
    report("counting")
    plan = listings(client, since)
    report.total = sum(listing.total for listing in plan)
    report("items")
    counts, engine = report.counts, get_engine()
    steady = True
    done_in: dict[str, int] = {}
    # closing(): on cancel or error, wait for the page being prefetched before the client is closed.
    with contextlib.closing(pages(client, plan, page_size)) as paged:
        for listing, page in paged:
            if cancel is not None and cancel.is_set():
                raise SyncCancelled
            steady = steady and page.total_size == listing.total
            with engine.begin() as conn:
                counts.changed += write_items(conn, server_id, page.items, utcnow())
            counts.seen += len(page.items)
            counts.keys.update(item["rating_key"] for item in page.items)
            done_in[listing.label] = done_in.get(listing.label, 0) + len(page.items)
            report("items", listing.label, done_in[listing.label], listing.total)
    return steady


# --------------------------------------------------------------------------- history


def _dedupe_key(server_id: int, row: dict[str, str]) -> str:
    identity = row.get("historyKey") or f"{row.get('accountID')}:{row.get('ratingKey')}:{row.get('viewedAt')}"
    return hashlib.sha256(f"plex-history:{server_id}:{identity}".encode()).hexdigest()


def _account_users(server_id: int) -> dict[int, int]:
    """Plex account id -> SmartPlex user id; the local owner account (1) is the server's owner."""
    with session() as s:
        server = s.get(Server, server_id)
        linked = s.exec(select(User.plex_account_id, User.id).where(col(User.plex_account_id).is_not(None))).all()
    users = {account: user for account, user in linked if account is not None and user is not None}
    if server is not None:
        users.setdefault(OWNER_ACCOUNT_ID, server.owner_id)
    return users


def _write_history(conn: Connection, server_id: int, rows: list[dict[str, str]], users: dict[int, int]) -> int:
    events: dict[str, dict[str, Any]] = {}
    for row in rows:
        viewed_at = to_datetime(row.get("viewedAt"))
        if viewed_at is None:
            continue
        account = to_int(row.get("accountID")) or None
        events[_dedupe_key(server_id, row)] = {
            "server_id": server_id,
            "user_id": users.get(account) if account is not None else None,
            "plex_account_id": account,
            "rating_key": row.get("ratingKey"),
            "event": "viewed",
            "viewed_at": viewed_at,
            "progress": 1.0,
            "view_offset_ms": 0,
            "user_rating": 0.0,
            "source": "history",
        }
    if not events:
        return 0
    known = set(conn.execute(sa.select(WATCH.c.dedupe_key).where(WATCH.c.dedupe_key.in_(list(events)))).scalars())
    fresh = [{**event, "dedupe_key": key} for key, event in events.items() if key not in known]
    if not fresh:
        return 0
    keys = list({event["rating_key"] for event in fresh if event["rating_key"]})
    media_ids: dict[str, int] = dict(
        conn.execute(
            sa.select(MEDIA.c.rating_key, MEDIA.c.id).where(
                MEDIA.c.server_id == server_id, MEDIA.c.rating_key.in_(keys)
            )
        ).all()
    )
    for event in fresh:
        event["media_item_id"] = media_ids.get(event["rating_key"])
    conn.execute(dialect_insert(conn.dialect.name)(WATCH).on_conflict_do_nothing(index_elements=["dedupe_key"]), fresh)
    return len(fresh)


def _import_history(client: PlexClient, server_id: int, since: datetime | None) -> int:
    # plexapi's key is `viewedAt>` + `=`, i.e. viewedAt%3E= on the wire.
    query = "sort=viewedAt:asc" + (f"&viewedAt%3E={_epoch(since)}" if since else "")
    users = _account_users(server_id)
    added, start = 0, 0
    while True:
        root = client.get_xml("/status/sessions/history/all", query, start=start, size=HISTORY_PAGE_SIZE)
        rows = [dict(el.items()) for el in root]
        with get_engine().begin() as conn:
            added += _write_history(conn, server_id, rows, users)
        start += len(rows)
        if not rows or start >= to_int(root.get("totalSize") or root.get("size")):
            return added


def import_history(server_id: int, since: datetime | None = None) -> int:
    """Import Plex's watch history (everything, or rows viewed at or after `since`); returns rows added."""
    with connect.open_client(server_id) as client:
        return _import_history(client, server_id, since)


# --------------------------------------------------------------------------- single items


def _children(client: PlexClient, path: str, page_size: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = parse_page(client.get_xml(path, start=len(items), size=page_size))
        items += page.items
        if not page.items or len(items) >= page.total_size:
            return items


def sync_item(server_id: int, rating_key: str) -> bool:
    """Fetch one item (a show or season with everything below it) and upsert it.

    False when Plex has no such movie, show, season or episode; other Plex failures raise PlexError.
    """
    if not str(rating_key).isdigit():
        raise ValueError("a Plex rating key is numeric")
    began = time.monotonic()
    run_id = _open_run(server_id, "webhook", "webhook", utcnow())
    counts = _Counts()
    try:
        with connect.open_client(server_id) as client:
            try:
                items = parse_items(client.get_xml(f"/library/metadata/{rating_key}"))
            except PlexNotFound:
                items = []
            for item in list(items):
                if item["type"] == "show":
                    items += _children(client, f"/library/metadata/{item['rating_key']}/children", PAGE_SIZE)
                    items += _children(client, f"/library/metadata/{item['rating_key']}/allLeaves", PAGE_SIZE)
                elif item["type"] == "season":
                    items += _children(client, f"/library/metadata/{item['rating_key']}/children", PAGE_SIZE)
        with get_engine().begin() as conn:
            for start in range(0, len(items), PAGE_SIZE):
                counts.changed += write_items(conn, server_id, items[start : start + PAGE_SIZE], utcnow())
        counts.seen = len(items)
    except PlexError as exc:
        _close_run(run_id, "webhook", "failed", counts, began, str(exc))
        raise
    except BaseException:
        _close_run(run_id, "webhook", "failed", counts, began, "internal error")
        raise
    _close_run(run_id, "webhook", "succeeded", counts, began, None)
    return bool(items)


# --------------------------------------------------------------------------- runs and the circuit breaker


def _open_run(server_id: int, kind: str, trigger: str, started_at: datetime) -> int:
    with session() as s:
        run = SyncRun(server_id=server_id, kind=kind, trigger=trigger, status="running", started_at=started_at)
        s.add(run)
        s.flush()
        return run.id or 0


def _close_run(run_id: int, kind: str, status: str, counts: _Counts, began: float, error: str | None) -> SyncResult:
    duration_ms = int((time.monotonic() - began) * 1000)
    with session() as s:
        run = s.get(SyncRun, run_id)
        if run is not None:
            run.status, run.finished_at, run.duration_ms = status, utcnow(), duration_ms
            run.items_seen, run.items_changed, run.items_removed = counts.seen, counts.changed, counts.removed
            run.error = error[:2000] if error else None
    log.info("plex.sync.finished", run_id=run_id, kind=kind, status=status, seen=counts.seen, changed=counts.changed,
             removed=counts.removed, duration_ms=duration_ms, error=error)  # fmt: skip
    return SyncResult(run_id, kind, status, counts.seen, counts.changed, counts.removed, duration_ms, error)


def _integration(s: Session, server: Server) -> Integration:
    """The server's `plex` integration row, which holds the circuit state (created on demand, race-free)."""
    s.exec(
        dialect_insert(s.get_bind().dialect.name)(Integration)
        .values(server_id=server.id, kind=IntegrationKind.PLEX, base_url="")
        .on_conflict_do_nothing(index_elements=["server_id", "kind"])
    )
    row = s.exec(
        select(Integration).where(Integration.server_id == server.id, Integration.kind == IntegrationKind.PLEX)
    ).one()
    row.base_url = server.preferred_connection_url or row.base_url
    return row


def cool_down(consecutive_failures: int) -> timedelta:
    """5 minutes once the circuit opens, doubling with each further failure, at most an hour."""
    doublings = max(consecutive_failures - FAILURES_TO_OPEN, 0)
    return min(COOL_DOWN * (2 ** min(doublings, 10)), MAX_COOL_DOWN)


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"


def _circuit_gate(server_id: int, now: datetime) -> str | None:
    """The error to return, without contacting Plex, while the circuit is open; half-open after the cool-down."""
    with session() as s:
        server = s.get(Server, server_id)
        assert server is not None
        row = _integration(s, server)
        if row.circuit_state != "open" or row.circuit_opened_at is None:
            return None
        retry_at = row.circuit_opened_at + cool_down(row.consecutive_failures)
        if now < retry_at:
            since = server.unreachable_since or row.circuit_opened_at
            return f"Plex unreachable since {_when(since)}; next try after {_when(retry_at)}"
        row.circuit_state = "half_open"
        return None


def _record_outcome(server_id: int, error: str | None) -> None:
    """Count a finished attempt into the circuit: a success closes it, the third failure in a row opens it."""
    now = utcnow()
    with session() as s:
        server = s.get(Server, server_id)
        assert server is not None
        row = _integration(s, server)
        row.last_checked_at = now
        if error is None:
            row.consecutive_failures, row.circuit_state, row.circuit_opened_at = 0, "closed", None
            row.health_status, row.last_error = "ok", None
        else:
            row.consecutive_failures += 1
            row.health_status, row.last_error = "down", error[:1000]
            if row.circuit_state == "half_open" or row.consecutive_failures >= FAILURES_TO_OPEN:
                row.circuit_state, row.circuit_opened_at = "open", now
    servers.mark_reachable(server_id, error is None)


def _last_sync(server: Server) -> datetime | None:
    """When the last successful sync of any kind started."""
    return max(filter(None, (server.last_full_sync_at, server.last_incremental_sync_at)), default=None)


def _resolve_kind(server: Server, kind: str, now: datetime) -> str:
    """ "auto" is full when the last full sync is missing or a week old; "incremental" needs an earlier sync."""
    if kind not in ("auto", "full", "incremental"):
        raise ValueError(f"unknown sync kind {kind!r}")
    if kind == "incremental" and _last_sync(server) is None:
        return "full"
    if kind == "auto":
        stale = server.last_full_sync_at is None or now - server.last_full_sync_at > FULL_EVERY
        return "full" if stale else "incremental"
    return kind


def _record_success(server_id: int, kind: str, started_at: datetime) -> None:
    with session() as s:
        server = s.get(Server, server_id)
        assert server is not None
        if kind == "full":
            server.last_full_sync_at = started_at
        else:
            server.last_incremental_sync_at = started_at


def run_sync(
    server_id: int,
    kind: str = "auto",
    trigger: str = "manual",
    progress: Callable[[SyncProgress], None] | None = None,
    cancel: threading.Event | None = None,
    *,
    options: SyncOptions | None = None,
) -> SyncResult:
    """Sync the library (and watch history) of a stored server; Plex failures come back as status "failed"."""
    options = options or SyncOptions()
    began, started_at = time.monotonic(), utcnow()
    server = servers.get_server(server_id)
    if server is None:
        raise servers.ServerError("No such Plex server.")
    kind = _resolve_kind(server, kind, started_at)
    last = _last_sync(server)
    since = last - OVERLAP if kind == "incremental" and last else None
    run_id = _open_run(server_id, kind, trigger, started_at)
    counts = _Counts()
    report = _Reporter(progress, counts, began)
    try:
        blocked = _circuit_gate(server_id, started_at)
        if blocked:
            return _close_run(run_id, kind, "failed", counts, began, blocked)
        log.info("plex.sync.started", run_id=run_id, server_id=server_id, kind=kind, trigger=trigger)
        with connect.open_client(
            server_id, timeouts=options.timeouts, attempts=options.attempts, backoff=options.backoff
        ) as client:
            steady = _sync_items(client, server_id, since, options.page_size, report, cancel)
            if kind == "full" and steady:
                report("removing")
                counts.removed = _mark_removed(server_id, counts.keys, utcnow())
            elif kind == "full":
                log.warning("plex.sync.totals_moved", run_id=run_id, server_id=server_id)
            report("history")
            _import_history(client, server_id, since)
    except SyncCancelled:
        return _close_run(run_id, kind, "cancelled", counts, began, None)
    except (servers.ServerError, vault.VaultError) as exc:  # our stored record is unusable, Plex is not at fault
        return _close_run(run_id, kind, "failed", counts, began, str(exc))
    except PlexError as exc:
        _record_outcome(server_id, str(exc))
        return _close_run(run_id, kind, "failed", counts, began, str(exc))
    except BaseException as exc:
        _close_run(run_id, kind, "failed", counts, began, f"internal error: {type(exc).__name__}")
        raise
    _record_success(server_id, kind, started_at)
    _record_outcome(server_id, None)
    report("done")
    return _close_run(run_id, kind, "succeeded", counts, began, None)
