"""Library sync, history import, single items and account links against the Plex simulator over HTTP."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import col, func, select
from structlog.testing import capture_logs

from smartplex.db import session
from smartplex.models import Integration, MediaItem, Server, SyncRun, User, WatchEvent, utcnow
from smartplex.services import auth
from smartplex.services.auth import UserView
from smartplex.services.integrations import breaker
from smartplex.services.plex import accounts, history, servers, sync
from smartplex.services.plex.client import PlexError
from smartplex.services.plex.sync import SyncOptions, SyncProgress
from smartplex.simulators.plex import Item, PlexSimulator
from tests import factories
from tests.plex_fixtures import FAST, SHARED_USER, dead_url, media_item_writes

TOTAL = 300 + 5 * (1 + 2 + 2 * 5)


def rows(server_id: int) -> dict[str, MediaItem]:
    with session() as s:
        return {m.rating_key: m for m in s.exec(select(MediaItem).where(MediaItem.server_id == server_id))}


def server_row(server_id: int) -> Server:
    found = servers.get_server(server_id)
    assert found is not None
    return found


def circuit(server_id: int) -> Integration:
    with session() as s:
        found = s.exec(select(Integration).where(Integration.server_id == server_id, Integration.kind == "plex")).one()
        return found


def expected_ids(item: Item) -> tuple[str | None, int | None, int | None]:
    ids = dict(guid.split("://") for guid in item.external_ids)
    imdb, tmdb, tvdb = ids.get("imdb"), ids.get("tmdb"), ids.get("tvdb")
    if not item.external_ids:  # legacy agent: the id is in the guid, and only a movie's or show's own
        value = item.guid.split("://")[1].split("?")[0]
        if item.type == "movie":
            imdb = value
        elif item.type == "show":
            tvdb = value
    return imdb, int(tmdb) if tmdb else None, int(tvdb) if tvdb else None


def test_full_sync_mirrors_the_simulator(admin: UserView, plex_sim: PlexSimulator) -> None:
    server_id = factories.simulated_server(admin.id, plex_sim)
    progress: list[SyncProgress] = []
    result = sync.run_sync(server_id, "full", "manual", progress.append, options=FAST)

    assert (result.status, result.kind, result.error) == ("succeeded", "full", None)
    assert (result.items_seen, result.items_changed, result.items_removed) == (TOTAL, TOTAL, 0)
    stored = rows(server_id)
    assert len(stored) == len(plex_sim.items) == TOTAL
    for key, item in plex_sim.items.items():
        row = stored[str(key)]
        parent = item.parent
        grandparent = parent.parent if parent else None
        assert (row.type, row.title, row.section_key) == (item.type, item.title, str(item.section.key))
        assert row.parent_rating_key == (str(parent.rating_key) if parent else None)
        assert row.grandparent_rating_key == (str(grandparent.rating_key) if grandparent else None)
        assert row.parent_title == (parent.title if parent else None)
        assert (row.item_index, row.parent_index) == (item.index or 0, (parent.index or 0) if parent else 0)
        assert row.year == (item.year or 0)
        assert row.genres == list(item.genres) and row.directors == list(item.directors)
        assert row.actors == [actor for actor, _ in item.roles[:3]]  # list answers carry three roles
        assert (row.imdb_id, row.tmdb_id, row.tvdb_id) == expected_ids(item), item.guid
        assert (row.guid, row.summary, row.studio) == (item.guid, item.summary, item.studio)
        assert row.added_at is not None and int(row.added_at.timestamp()) == item.added_at
        assert row.updated_at is not None and int(row.updated_at.timestamp()) == item.updated_at
        assert (row.duration_ms, row.file_size_bytes) == (item.duration or 0, item.size or 0)
        assert (row.rating, row.audience_rating) == (item.rating or 0.0, item.audience_rating or 0.0)
        assert row.thumb == item.thumb and row.removed_at is None
    assert any(not i.external_ids for i in plex_sim.items.values() if i.type == "episode")  # legacy episodes covered
    assert any(i.size is None for i in plex_sim.items.values())  # sparse items covered

    pages = [p for p in progress if p.phase == "items" and p.section]
    assert len(pages) == 3 + 1 + 1 + 1  # 300 movies in pages of 100, then shows, seasons, episodes
    assert [p.done for p in pages] == [100, 200, 300, 305, 315, 365] and {p.total for p in pages} == {TOTAL}
    assert (pages[0].section, pages[0].section_done, pages[0].section_total) == ("Movies", 100, 300)
    assert progress[-1].phase == "done"

    with session() as s:
        run = s.get(SyncRun, result.run_id)
        assert run is not None
        assert (run.kind, run.trigger, run.status, run.items_seen, run.items_changed) == (
            "full",
            "manual",
            "succeeded",
            TOTAL,
            TOTAL,
        )
        assert run.finished_at is not None and run.duration_ms == result.duration_ms
        assert s.exec(select(func.count()).select_from(WatchEvent)).one() == len(plex_sim.history)
    assert server_row(server_id).last_full_sync_at is not None
    assert circuit(server_id).health_status == "ok"
    assert not [r for r in plex_sim.requests if plex_sim.token in r]  # the token never travels in a URL


def test_repeat_sync_writes_nothing_and_incremental_writes_only_changes(
    admin: UserView, plex_sim: PlexSimulator
) -> None:
    server_id = factories.simulated_server(admin.id, plex_sim)
    assert sync.run_sync(server_id, "full", options=FAST).items_changed == TOTAL
    with media_item_writes() as writes:
        again = sync.run_sync(server_id, "full", options=FAST)
        assert (again.status, again.items_seen, again.items_changed, again.items_removed) == ("succeeded", TOTAL, 0, 0)
        assert writes() == 0

        touched = [1001, 1002, 1003, 1200, next(k for k, i in plex_sim.items.items() if i.type == "episode")]
        plex_sim.touch(touched, title="Remastered")
        plex_sim.requests.clear()
        incremental = sync.run_sync(server_id, "auto", options=FAST)
        assert (incremental.kind, incremental.status) == ("incremental", "succeeded")
        assert (incremental.items_seen, incremental.items_changed) == (5, 5)
        assert writes() == 5
    assert {key for key, row in rows(server_id).items() if row.title == "Remastered"} == {str(k) for k in touched}
    since = int((server_row(server_id).last_full_sync_at - sync.OVERLAP).timestamp())  # type: ignore[operator]
    assert f"GET /library/sections/1/all?type=1&includeGuids=1&updatedAt%3E%3E={since}" in plex_sim.requests
    assert f"GET /status/sessions/history/all?sort=viewedAt:asc&viewedAt%3E={since}" in plex_sim.requests
    assert server_row(server_id).last_incremental_sync_at is not None


def test_auto_runs_full_when_the_last_full_sync_is_a_week_old(admin: UserView, plex_sim: PlexSimulator) -> None:
    server_id = factories.simulated_server(admin.id, plex_sim)
    assert sync.run_sync(server_id, "auto", options=FAST).kind == "full"
    assert sync.run_sync(server_id, "auto", options=FAST).kind == "incremental"
    with session() as s:
        server = s.get(Server, server_id)
        assert server is not None and server.last_full_sync_at is not None
        server.last_full_sync_at -= timedelta(days=8)
    assert sync.run_sync(server_id, "auto", options=FAST).kind == "full"


def test_removed_items_are_marked_not_deleted(admin: UserView, plex_sim: PlexSimulator) -> None:
    server_id = factories.simulated_server(admin.id, plex_sim)
    sync.run_sync(server_id, "full", options=FAST)
    show = next(item for item in plex_sim.items.values() if item.type == "show")
    gone = {"1001", str(show.rating_key), *(str(d.rating_key) for d in show.descendants())}
    plex_sim.remove(1001)
    plex_sim.remove(show.rating_key)
    with media_item_writes() as writes:
        result = sync.run_sync(server_id, "full", options=FAST)
        assert writes() == len(gone)  # only the removed rows are touched
    assert (result.status, result.items_removed, result.items_changed) == ("succeeded", len(gone), 0)
    stored = rows(server_id)
    assert len(stored) == TOTAL
    assert {key for key, row in stored.items() if row.removed_at is not None} == gone
    # A row marked removed that Plex lists again is written back, even with an unchanged updatedAt.
    with session() as s:
        s.exec(sa.update(MediaItem).where(col(MediaItem.rating_key) == "1002").values(removed_at=utcnow()))  # type: ignore[call-overload]
    assert sync.run_sync(server_id, "full", options=FAST).items_changed == 1
    assert rows(server_id)["1002"].removed_at is None


def test_server_error_on_a_page_fails_the_sync_and_marks_nothing(admin: UserView, plex_sim: PlexSimulator) -> None:
    server_id = factories.simulated_server(admin.id, plex_sim)
    sync.run_sync(server_id, "full", options=FAST)
    plex_sim.remove(1001)
    plex_sim.touch([1002])
    plex_sim.faults.path_prefix, plex_sim.faults.fail_on_page_start = "/library/sections/1/all", 200
    result = sync.run_sync(server_id, "full", options=FAST)
    assert result.status == "failed"
    assert result.error == "Plex failed: HTTP 500 for /library/sections/1/all after 3 tries"
    assert result.items_seen == 200 and result.items_changed == 1  # pages before the failure are committed
    stored = rows(server_id)
    assert stored["1001"].removed_at is None  # a failed run marks nothing removed
    assert stored["1002"].title == plex_sim.items[1002].title
    with session() as s:
        run = s.get(SyncRun, result.run_id)
        assert run is not None and (run.status, run.error) == ("failed", result.error)
    assert server_row(server_id).unreachable_since is not None
    assert circuit(server_id).consecutive_failures == 1


def test_a_page_that_fails_twice_is_retried_and_the_sync_succeeds(admin: UserView, plex_sim: PlexSimulator) -> None:
    server_id = factories.simulated_server(admin.id, plex_sim)
    plex_sim.faults.fail_on_page_start, plex_sim.faults.times = 100, 2
    result = sync.run_sync(server_id, "full", options=FAST)
    assert (result.status, result.items_changed) == ("succeeded", TOTAL)


def test_connection_dropped_mid_sync(admin: UserView, plex_sim: PlexSimulator) -> None:
    server_id = factories.simulated_server(admin.id, plex_sim)
    plex_sim.faults.path_prefix, plex_sim.faults.drop = "/library/sections/2/all", True
    plex_sim.faults.fail_after_requests = 3  # the size-0 counts pass, the first page drops
    with capture_logs() as logged:
        result = sync.run_sync(server_id, "full", options=FAST)
    assert result.status == "failed"
    assert result.error == f"Plex unreachable: connection dropped ({plex_sim.url}/library/sections/2/all)"
    assert "GET /" in plex_sim.requests  # it re-raced once (the server answered) and retried
    assert len(rows(server_id)) == 300  # the movie pages stay committed
    assert all(row.removed_at is None for row in rows(server_id).values())
    assert [e["reason"] for e in logged if e["event"] == "plex.retry"] == ["connection dropped"] * 4
    assert plex_sim.token not in repr(logged)  # before any redaction


def test_a_server_without_an_address_fails_without_raising(admin: UserView, plex_sim: PlexSimulator) -> None:
    server_id = factories.simulated_server(admin.id, plex_sim)
    with session() as s:
        server = s.get(Server, server_id)
        assert server is not None
        server.preferred_connection_url, server.connection_urls = None, []
    result = sync.run_sync(server_id, options=FAST)
    assert (result.status, result.error) == ("failed", "This Plex server has no address.")


def test_hanging_server_times_out(admin: UserView, plex_sim: PlexSimulator) -> None:
    server_id = factories.simulated_server(admin.id, plex_sim)
    plex_sim.faults.path_prefix, plex_sim.faults.hang = "/library/sections/1/all", True
    began = time.perf_counter()
    result = sync.run_sync(
        server_id, "full", options=SyncOptions(page_size=100, timeouts=FAST.timeouts, attempts=2, backoff=0.01)
    )
    assert time.perf_counter() - began < 10
    assert result.status == "failed" and result.error is not None
    assert result.error.startswith("Plex unreachable: timeout")
    plex_sim.faults.hang = False


def test_slow_server_still_completes(admin: UserView, plex_sim: PlexSimulator) -> None:
    server_id = factories.simulated_server(admin.id, plex_sim)
    plex_sim.faults.latency = 0.1  # under the read timeout, on every request
    result = sync.run_sync(server_id, "full", options=SyncOptions(page_size=100, timeouts=FAST.timeouts))
    assert (result.status, result.items_changed) == ("succeeded", TOTAL)


def test_cancel_between_pages(admin: UserView, plex_sim: PlexSimulator) -> None:
    server_id = factories.simulated_server(admin.id, plex_sim)
    sync.run_sync(server_id, "full", options=FAST)
    before = server_row(server_id).last_full_sync_at
    plex_sim.remove(1001)
    cancel = threading.Event()

    def on_progress(p: SyncProgress) -> None:
        if p.done >= 100:
            cancel.set()

    result = sync.run_sync(server_id, "full", "manual", on_progress, cancel, options=FAST)
    assert (result.status, result.items_seen, result.error) == ("cancelled", 100, None)
    assert rows(server_id)["1001"].removed_at is None
    assert server_row(server_id).last_full_sync_at == before
    with session() as s:
        run = s.get(SyncRun, result.run_id)
        assert run is not None and run.status == "cancelled"


def test_circuit_opens_after_three_failures_then_fails_fast(admin: UserView, plex_sim: PlexSimulator) -> None:
    server_id = factories.simulated_server(admin.id, plex_sim)
    plex_sim.faults.status = 503
    for _ in range(3):
        assert (
            sync.run_sync(server_id, "auto", options=FAST).error
            == "Plex failed: HTTP 503 for /library/sections after 3 tries"
        )
    state = circuit(server_id)
    assert (state.circuit_state, state.consecutive_failures, state.health_status) == ("open", 3, "down")
    plex_sim.requests.clear()
    blocked = sync.run_sync(server_id, "auto", options=FAST)
    assert blocked.status == "failed" and blocked.error is not None
    assert blocked.error.startswith("Plex unreachable since ") and "; next try after " in blocked.error
    assert list(plex_sim.requests) == []  # Plex was not contacted

    plex_sim.faults.reset()
    with session() as s:
        row = s.exec(select(Integration).where(Integration.server_id == server_id)).one()
        row.circuit_opened_at = utcnow() - breaker.cool_down(3) - timedelta(seconds=1)
    half_open = sync.run_sync(server_id, "auto", options=FAST)
    assert half_open.status == "succeeded"
    state = circuit(server_id)
    assert (state.circuit_state, state.consecutive_failures, state.last_error) == ("closed", 0, None)
    assert server_row(server_id).unreachable_since is None


def test_a_failed_half_open_attempt_reopens_for_longer(admin: UserView, plex_sim: PlexSimulator) -> None:
    server_id = factories.simulated_server(admin.id, plex_sim, urls=[dead_url()])
    for _ in range(3):
        assert sync.run_sync(server_id, options=FAST).error.startswith("Plex unreachable: ")  # type: ignore[union-attr]
    with session() as s:
        row = s.exec(select(Integration).where(Integration.server_id == server_id)).one()
        row.circuit_opened_at = utcnow() - timedelta(minutes=6)
    assert sync.run_sync(server_id, options=FAST).error.startswith("Plex unreachable: no address")  # type: ignore[union-attr]
    state = circuit(server_id)
    assert (state.circuit_state, state.consecutive_failures) == ("open", 4)
    assert breaker.cool_down(4) == timedelta(minutes=10) and breaker.cool_down(40) == timedelta(hours=1)


def test_history_import_maps_accounts_and_deduplicates(
    admin: UserView, member: UserView, plex_sim: PlexSimulator
) -> None:
    server_id = factories.simulated_server(admin.id, plex_sim)
    accounts.link_user(member.id, SHARED_USER, "alice.w")
    sync.run_sync(server_id, "full", options=FAST)  # items first, so history rows find their media item
    total = len(plex_sim.history)
    assert history.import_history(server_id) == 0  # the sync already imported everything once
    with session() as s:
        events = list(s.exec(select(WatchEvent)))
    assert len(events) == total
    by_account = {e.plex_account_id: e.user_id for e in events}
    assert by_account[1] == admin.id and by_account[SHARED_USER] == member.id
    assert by_account[3972737] is None  # "Kids" is linked to nobody
    assert all(e.source == "history" and e.event == "viewed" and e.progress == 1.0 for e in events)
    assert all(e.media_item_id is not None for e in events)

    movie = plex_sim.add_movie("Fresh", year=2026)
    plex_sim.add_play(SHARED_USER, movie.rating_key)
    since = utcnow() - timedelta(minutes=1)
    assert history.import_history(server_id, since) == 1
    assert history.import_history(server_id, since) == 0
    with session() as s:
        fresh = s.exec(select(WatchEvent).where(WatchEvent.rating_key == str(movie.rating_key))).one()
    assert (fresh.user_id, fresh.media_item_id) == (member.id, None)  # not synced yet


def test_sync_item_new_movie_new_show_and_missing(admin: UserView, plex_sim: PlexSimulator) -> None:
    server_id = factories.simulated_server(admin.id, plex_sim)
    movie = plex_sim.add_movie("Brand New <Movie>", year=2026)
    assert sync.sync_item(server_id, str(movie.rating_key)) is True
    stored = rows(server_id)
    assert stored[str(movie.rating_key)].title == "Brand New <Movie>" and stored[str(movie.rating_key)].year == 2026
    assert stored[str(movie.rating_key)].section_key == "1"

    show = next(item for item in plex_sim.items.values() if item.type == "show")
    episode = plex_sim.add_episode(show.rating_key, 3, title="Pilot")
    assert sync.sync_item(server_id, str(show.rating_key)) is True
    stored = rows(server_id)
    below = {str(d.rating_key) for d in show.descendants()}
    assert len(below) == 2 + 10 + 1 + 1 and below <= set(stored)  # two seasons of five, a new season and its episode
    new = stored[str(episode.rating_key)]
    assert (new.title, new.parent_index, new.item_index, new.grandparent_rating_key) == (
        "Pilot",
        3,
        1,
        str(show.rating_key),
    )
    assert stored[str(show.rating_key)].type == "show"

    assert sync.sync_item(server_id, "999999") is False
    with session() as s:
        kinds = [(r.kind, r.trigger, r.status) for r in s.exec(select(SyncRun).order_by(col(SyncRun.id)))]
    assert kinds == [("webhook", "webhook", "succeeded")] * 3
    with pytest.raises(ValueError):
        sync.sync_item(server_id, "../../accounts")


def test_sync_item_records_plex_failures(admin: UserView, plex_sim: PlexSimulator) -> None:
    server_id = factories.simulated_server(admin.id, plex_sim)
    plex_sim.faults.status = 500
    with pytest.raises(PlexError, match="HTTP 500"):
        sync.sync_item(server_id, "1001")
    with session() as s:
        run = s.exec(select(SyncRun)).one()
    assert (run.kind, run.status, run.error) == (
        "webhook",
        "failed",
        "Plex failed: HTTP 500 for /library/metadata/1001 after 3 tries",
    )


def test_link_accounts_by_username_and_existing_id(admin: UserView, member: UserView, plex_sim: PlexSimulator) -> None:
    server_id = factories.simulated_server(admin.id, plex_sim)
    carmen = auth.create_user("Carmen", "carmen@example.com", "correct horse battery")
    with session() as s:
        user = s.get(User, member.id)
        assert user is not None
        user.plex_username = "ALICE.W"
        other = s.get(User, carmen.id)
        assert other is not None
        other.plex_account_id = 8801245
    linked = {account_id: (name, user_id) for account_id, name, user_id in accounts.link_accounts(server_id)}
    assert linked[SHARED_USER] == ("alice.w", member.id)
    assert linked[8801245] == ("carmen.s", carmen.id)
    assert linked[1] == ("PlexOwner", admin.id)
    assert linked[3972737] == ("Kids", None) and 0 not in linked
    with session() as s:
        user = s.get(User, member.id)
        assert user is not None and (user.plex_account_id, user.plex_username) == (SHARED_USER, "alice.w")
        other = s.get(User, carmen.id)
        assert other is not None and other.plex_username == "carmen.s"
    listed = {a.id: a.linked_user_id for a in accounts.plex_accounts(server_id)}
    assert listed[SHARED_USER] == member.id and listed[1] == admin.id and listed[3972737] is None

    accounts.link_user(carmen.id, SHARED_USER, "alice.w")  # explicit relink moves the account
    with session() as s:
        assert s.exec(select(User.id).where(User.plex_account_id == SHARED_USER)).all() == [carmen.id]
