"""Library sync with Plex: full and incremental runs, and single items.

A run pages through every movie and show section (shows, seasons and episodes are listed by type),
prefetching the next page in a background thread while the current one is written in its own
transaction (plex.upsert), then imports Plex's watch history (plex.history). A full run that saw every
page marks the rows it did not see as removed; a failed or cancelled run marks nothing. Each run is
recorded in `sync_run`, and the server's circuit breaker stops contacting a Plex server that keeps
failing (plex.runs).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from smartplex.db import get_engine
from smartplex.log import get_logger
from smartplex.models import utcnow
from smartplex.services import vault
from smartplex.services.plex import connect, history, household, runs, servers
from smartplex.services.plex.accounts import accounts_of
from smartplex.services.plex.client import (
    DEFAULT_TIMEOUTS,
    PlexAuthError,
    PlexClient,
    PlexError,
    PlexNotFound,
    Timeouts,
)
from smartplex.services.plex.parse import Page, parse_items, parse_page, to_int
from smartplex.services.plex.runs import Counts, SyncResult
from smartplex.services.plex.upsert import mark_removed, write_items
from smartplex.services.requests import availability

log = get_logger(__name__)

OVERLAP = timedelta(minutes=5)
PAGE_SIZE = 2000
# Plex search types listed per section type, parents before children.
LISTED_TYPES = {"movie": ((1, "movies"),), "show": ((2, "shows"), (3, "seasons"), (4, "episodes"))}


@dataclass
class SyncProgress:
    phase: str  # counting | items | removing | history | done, or connecting while addresses are raced
    section: str
    section_done: int
    section_total: int
    done: int
    total: int
    elapsed_s: float
    message: str = ""  # what is happening, in words, when the numbers do not say it


@dataclass(frozen=True)
class SyncOptions:
    """Knobs for tests and benchmarks; the defaults are what the app uses."""

    page_size: int = PAGE_SIZE
    timeouts: Timeouts = DEFAULT_TIMEOUTS
    attempts: int = 3
    backoff: float = 0.5


REMOVED = "This Plex server was removed from SmartPlex."


class SyncCancelled(Exception):
    """The cancel flag was set, or the server was removed meanwhile; raised between pages."""


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


def listings(client: PlexClient, since: datetime | None) -> list[Listing]:
    """Every movie/show section listing with its total (a size-0 request each), parents first."""
    changed_since = f"&updatedAt%3E%3E={int(since.timestamp())}" if since else ""
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

    def __init__(self, progress: Callable[[SyncProgress], None] | None, counts: Counts, began: float) -> None:
        self.progress = progress
        self.counts = counts
        self.began = began
        self.total = 0

    def __call__(
        self, phase: str, section: str = "", section_done: int = 0, section_total: int = 0, message: str = ""
    ) -> None:
        if self.progress is not None:
            done = self.counts.seen
            elapsed = time.monotonic() - self.began
            self.progress(
                SyncProgress(phase, section, section_done, section_total, done, max(self.total, done), elapsed, message)
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
                # Checked after the write, in its transaction: a removal that committed first rolls this page back,
                # one that commits later marks these rows removed too. Either way nothing comes back to life.
                if servers.is_removed(conn, server_id):
                    raise SyncCancelled(REMOVED)
            availability.on_items_written(server_id, page.items)
            counts.seen += len(page.items)
            counts.keys.update(item["rating_key"] for item in page.items)
            done_in[listing.label] = done_in.get(listing.label, 0) + len(page.items)
            report("items", listing.label, done_in[listing.label], listing.total)
    return steady


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
    run_id = runs.open_run(server_id, "webhook", "webhook", utcnow())
    counts = Counts()
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
        availability.on_items_written(server_id, items)
    except PlexError as exc:
        runs.close_run(run_id, "webhook", "failed", counts, began, str(exc))
        raise
    except BaseException:
        runs.close_run(run_id, "webhook", "failed", counts, began, "internal error")
        raise
    runs.close_run(run_id, "webhook", "succeeded", counts, began, None)
    return bool(items)


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
    if server.removed_at is not None:
        raise servers.ServerError(REMOVED)
    kind = runs.resolve_kind(server, kind, started_at)
    last = runs.last_sync(server)
    since = last - OVERLAP if kind == "incremental" and last else None
    run_id = runs.open_run(server_id, kind, trigger, started_at)
    counts = Counts()
    report = _Reporter(progress, counts, began)
    try:
        blocked = runs.circuit_gate(server_id, started_at)
        if blocked:
            return runs.close_run(run_id, kind, "failed", counts, began, blocked)
        log.info("plex.sync.started", run_id=run_id, server_id=server_id, kind=kind, trigger=trigger)
        with connect.open_client(
            server_id,
            timeouts=options.timeouts,
            attempts=options.attempts,
            backoff=options.backoff,
            on_status=lambda message: report("connecting", message=message),
        ) as client:
            steady = _sync_items(client, server_id, since, options.page_size, report, cancel)
            if kind == "full" and steady:
                report("removing")
                counts.removed = mark_removed(server_id, counts.keys, utcnow())
            elif kind == "full":
                log.warning("plex.sync.totals_moved", run_id=run_id, server_id=server_id)
            report("history")
            history.import_with(client, server_id, since)
            household.record_accounts(server_id, [account for account, _name, _thumb in accounts_of(client)])
    except SyncCancelled as exc:
        return runs.close_run(run_id, kind, "cancelled", counts, began, str(exc) or None)
    except (servers.ServerError, vault.VaultError) as exc:  # our stored record is unusable, Plex is not at fault
        return runs.close_run(run_id, kind, "failed", counts, began, str(exc))
    except PlexError as exc:
        runs.record_outcome(server_id, str(exc), rejected=isinstance(exc, PlexAuthError))
        return runs.close_run(run_id, kind, "failed", counts, began, str(exc))
    except BaseException as exc:
        runs.close_run(run_id, kind, "failed", counts, began, f"internal error: {type(exc).__name__}")
        raise
    runs.record_success(server_id, kind, started_at)
    runs.record_outcome(server_id, None)
    report("done")
    return runs.close_run(run_id, kind, "succeeded", counts, began, None)
