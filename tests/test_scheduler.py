"""The sync scheduler against a real database: schedules, the lease (threads, processes, PostgreSQL),
runs through the real sync service (Plex simulator or a closed port) and the lifespan task."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import pairwise

import anyio
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import select

from smartplex import migrations
from smartplex.config import reload_settings
from smartplex.db import session
from smartplex.models import MediaItem, SyncRun, SyncSchedule, utcnow
from smartplex.services import auth, scheduler
from smartplex.services.auth import UserView
from smartplex.services.scheduler import ScheduleError
from smartplex.simulators.plex import PlexSimulator
from tests.conftest import PASSWORD, POSTGRES_URL, reset_postgres, use_database, wipe
from tests.scheduler_fixtures import add_server, claim_round, closed_port, due_schedules, make_due, spawn_claimers

SCHED_PG_DB = "smartplex_sched_test"


def row(schedule_id: int) -> SyncSchedule:
    with session() as s:
        found = s.get(SyncSchedule, schedule_id)
    assert found is not None
    return found


def defaults(server_id: int) -> dict[str, int]:
    """The server's default schedules (created if missing), by kind."""
    return {v.kind: v.id for v in scheduler.ensure_default_schedules(server_id)}


def lease(schedule_id: int, owner: str, expires_at: datetime) -> None:
    with session() as s:
        found = s.get(SyncSchedule, schedule_id)
        assert found is not None
        found.lease_owner, found.lease_expires_at = owner, expires_at


def runs(server_id: int) -> list[SyncRun]:
    with session() as s:
        return list(s.exec(select(SyncRun).where(SyncRun.server_id == server_id)))


def near(moment: datetime | None, expected: datetime, slack: float = 5.0) -> bool:
    return moment is not None and abs((moment - expected).total_seconds()) <= slack


@pytest.fixture
def dead_server(admin: UserView) -> int:
    """A server whose only URL is a closed loopback port: every sync fails fast."""
    return add_server(admin.id, 1, f"http://127.0.0.1:{closed_port()}")


@pytest.fixture
def sim() -> Iterator[PlexSimulator]:
    simulator = PlexSimulator(movies=30, shows=2, seasons=1, episodes=3, seed=5, plays_per_account=3)
    with simulator.serve():
        yield simulator


@pytest.fixture
def live_server(admin: UserView, sim: PlexSimulator) -> int:
    return add_server(admin.id, 2, sim.url, token=sim.token, machine_id=sim.machine_identifier)


# --------------------------------------------------------------------------- schedules


def test_default_schedules_are_created_once(dead_server: int) -> None:
    before = utcnow()
    first = scheduler.ensure_default_schedules(dead_server)
    again = scheduler.ensure_default_schedules(dead_server)

    assert first == again
    assert {(v.kind, v.interval_minutes, v.enabled, v.run_count, v.running) for v in first} == {
        ("incremental", 15, True, 0, False),
        ("full", 10080, True, 0, False),
    }
    for view in first:
        assert view.server_name == "Server 1" and view.last_run_at is None and view.last_error is None
        assert near(datetime.fromisoformat(view.next_run_at or ""), before + timedelta(minutes=view.interval_minutes))
    with session() as s:
        assert len(s.exec(select(SyncSchedule)).all()) == 2
    with pytest.raises(ScheduleError, match="No such server"):
        scheduler.ensure_default_schedules(dead_server + 100)


def test_default_schedules_created_by_racing_workers_exist_once(dead_server: int) -> None:
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def ensure() -> None:
        barrier.wait()
        try:
            scheduler.ensure_default_schedules(dead_server)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=ensure) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(v.kind for v in scheduler.list_schedules()) == ["full", "incremental"]


def test_default_schedules_keep_the_admins_changes(dead_server: int) -> None:
    ids = defaults(dead_server)
    scheduler.update_schedule(ids["full"], interval_minutes=60, enabled=False)

    again = {v.kind: v for v in scheduler.ensure_default_schedules(dead_server)}

    assert (again["full"].id, again["full"].interval_minutes, again["full"].enabled) == (ids["full"], 60, False)


def test_list_schedules_by_server(admin: UserView, dead_server: int) -> None:
    other = add_server(admin.id, 9, "http://127.0.0.1:9")
    scheduler.ensure_default_schedules(dead_server)
    scheduler.ensure_default_schedules(other)

    assert len(scheduler.list_schedules()) == 4
    assert {v.server_id for v in scheduler.list_schedules(other)} == {other}
    assert scheduler.list_schedules(other + 100) == []


BAD_INTERVALS = [
    (4, "between 5 minutes and 30 days"),
    (43201, "between 5 minutes and 30 days"),
    (-15, "between 5 minutes and 30 days"),
    (15.5, "whole number"),
    ("15", "whole number"),
    (True, "whole number"),
]


def test_update_rejects_bad_intervals(dead_server: int) -> None:
    schedule_id = defaults(dead_server)["incremental"]

    for value, message in BAD_INTERVALS:
        with pytest.raises(ScheduleError, match=message):
            scheduler.update_schedule(schedule_id, interval_minutes=value)  # type: ignore[arg-type]
    assert row(schedule_id).interval_minutes == 15


def test_update_schedule(dead_server: int) -> None:
    schedule_id = defaults(dead_server)["full"]

    view = scheduler.update_schedule(schedule_id, interval_minutes=60)
    assert view.interval_minutes == 60 and view.enabled
    assert near(datetime.fromisoformat(view.next_run_at or ""), utcnow() + timedelta(minutes=60))
    assert scheduler.update_schedule(schedule_id, interval_minutes=5).interval_minutes == 5
    assert scheduler.update_schedule(schedule_id, interval_minutes=43200).interval_minutes == 43200

    off = scheduler.update_schedule(schedule_id, enabled=False)
    assert not off.enabled and off.interval_minutes == 43200
    assert scheduler.update_schedule(schedule_id, enabled=True).enabled
    with pytest.raises(ScheduleError, match="true or false"):
        scheduler.update_schedule(schedule_id, enabled="yes")  # type: ignore[arg-type]
    with pytest.raises(ScheduleError, match="No such schedule"):
        scheduler.update_schedule(schedule_id + 100, enabled=False)
    assert isinstance(ScheduleError("x"), ValueError)


def test_run_now_makes_a_schedule_due(dead_server: int) -> None:
    ids = defaults(dead_server)
    assert scheduler.claim_due(utcnow(), "worker-a") == []

    view = scheduler.run_now(ids["full"])

    assert near(datetime.fromisoformat(view.next_run_at or ""), utcnow())
    assert scheduler.claim_due(utcnow(), "worker-a") == [ids["full"]]
    with pytest.raises(ScheduleError, match="No such schedule"):
        scheduler.run_now(ids["full"] + 100)


# --------------------------------------------------------------------------- the lease


def test_claim_takes_only_due_enabled_and_free_schedules(admin: UserView) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    due, not_yet, disabled, leased, expired = (defaults(add_server(admin.id, n, url))["incremental"] for n in range(5))
    now = utcnow()
    make_due(due, disabled, leased, expired)
    scheduler.update_schedule(disabled, enabled=False)
    lease(leased, "other", now + timedelta(minutes=5))
    lease(expired, "dead", now - timedelta(seconds=1))

    claimed = scheduler.claim_due(now, "worker-a", lease_seconds=120)

    assert sorted(claimed) == sorted([due, expired])
    assert scheduler.claim_due(now, "worker-b") == []
    for schedule_id in claimed:
        assert row(schedule_id).lease_owner == "worker-a"
        assert near(row(schedule_id).lease_expires_at, now + timedelta(seconds=120), slack=0.01)
    assert row(leased).lease_owner == "other" and row(not_yet).lease_owner is None
    running = {v.id: v.running for v in scheduler.list_schedules()}
    assert running[due] and not running[not_yet]


def test_expired_lease_is_reclaimed(dead_server: int) -> None:
    schedule_id = defaults(dead_server)["incremental"]
    make_due(schedule_id)
    now = utcnow()

    assert scheduler.claim_due(now, "worker-a", lease_seconds=60) == [schedule_id]
    assert scheduler.claim_due(now + timedelta(seconds=59), "worker-b", lease_seconds=60) == []
    assert scheduler.claim_due(now + timedelta(seconds=61), "worker-b", lease_seconds=60) == [schedule_id]
    assert row(schedule_id).lease_owner == "worker-b"


def test_a_server_syncs_one_schedule_at_a_time(dead_server: int) -> None:
    ids = defaults(dead_server)
    now = utcnow()
    make_due()
    lease(ids["incremental"], "worker-b", now + timedelta(minutes=5))

    assert scheduler.claim_due(now, "worker-a") == []  # worker-b is syncing this server
    assert scheduler.claim_due(now, "worker-b") == [ids["full"]]  # its own next schedule may follow
    make_due(ids["full"])
    assert sorted(scheduler.claim_due(now + timedelta(minutes=6), "worker-a")) == sorted(ids.values())  # expired


def test_racing_claims_on_one_server_take_turns(admin: UserView) -> None:
    """Two workers race for the two schedules of each server: per server, exactly one of them wins."""
    url = f"http://127.0.0.1:{closed_port()}"
    pairs = [tuple(defaults(add_server(admin.id, n, url)).values()) for n in range(20)]
    make_due()
    now = utcnow()
    barrier = threading.Barrier(2)
    won: list[list[bool]] = [[], []]

    def race(side: int) -> None:
        for pair in pairs:
            barrier.wait()
            won[side].append(scheduler.claim(pair[side], now, f"worker-{side}", 600))

    threads = [threading.Thread(target=race, args=(side,)) for side in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert [a + b for a, b in zip(*won, strict=True)] == [1] * len(pairs)


def test_worker_ids_are_unique_per_process() -> None:
    owner = scheduler.worker_id()
    assert owner == scheduler.worker_id()
    host, pid, suffix = owner.rsplit(":", 2)
    assert host == socket.gethostname()[:64] and pid == str(os.getpid()) and len(suffix) == 8


def assert_each_claimed_once(claims: list[list[int]], ids: list[int]) -> None:
    counts = Counter(sid for claimed in claims for sid in claimed)
    assert counts == Counter(ids), f"claimed twice or never: {counts - Counter(ids)} / {Counter(ids) - counts}"


def claim_in_threads(workers: int) -> list[list[int]]:
    """Every thread claims at the same moment under its own name; what each one got."""
    barrier = threading.Barrier(workers)
    claims: list[list[int]] = [[] for _ in range(workers)]

    def claim(n: int) -> None:
        barrier.wait()
        claims[n] = scheduler.claim_due(utcnow(), f"thread-{n}", lease_seconds=600)

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return claims


def test_threads_never_claim_the_same_schedule(admin: UserView) -> None:
    ids = due_schedules(admin.id, 10, f"http://127.0.0.1:{closed_port()}")
    for _round in range(3):
        make_due()
        assert_each_claimed_once(claim_in_threads(8), ids)


def claim_in_processes(owner_id: int, db_url: str, *, processes: int = 4, rounds: int = 3) -> None:
    ids = due_schedules(owner_id, 12, f"http://127.0.0.1:{closed_port()}")
    procs = spawn_claimers(processes, db_url)
    try:
        for _round in range(rounds):
            make_due()
            results = claim_round(procs)
            assert len(results) == processes  # distinct worker names
            assert_each_claimed_once(list(results.values()), ids)
            for owner, claimed in results.items():
                assert all(row(sid).lease_owner == owner for sid in claimed)
    finally:
        for proc in procs:
            proc.communicate(timeout=30)
    assert all(proc.returncode == 0 for proc in procs)


@pytest.mark.slow
def test_processes_never_claim_the_same_schedule(admin: UserView, db_url: str) -> None:
    claim_in_processes(admin.id, db_url)


@pytest.fixture(scope="module")
def sched_pg_url() -> str:
    """A PostgreSQL database of our own (not the fixtures' `test`), migrated once; skips when unreachable."""
    base = make_url(POSTGRES_URL)
    server = sa.create_engine(
        base.set(database="postgres"), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 2}
    )
    try:
        with server.connect() as conn:
            exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": SCHED_PG_DB}).first()
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{SCHED_PG_DB}"'))
    except sa.exc.OperationalError:
        pytest.skip("PostgreSQL at 127.0.0.1:5432 is not reachable")
    finally:
        server.dispose()
    url = base.set(database=SCHED_PG_DB).render_as_string(hide_password=False)
    reset_postgres(url)
    migrations.upgrade(url)
    return url


@pytest.fixture
def sched_pg(db_url: str, sched_pg_url: str) -> Iterator[str]:
    """Point SmartPlex at the scheduler's PostgreSQL database for one test, then back."""
    use_database(sched_pg_url)
    wipe(sched_pg_url)
    yield sched_pg_url
    use_database(db_url)


@pytest.mark.slow
def test_processes_never_claim_the_same_schedule_on_postgres(sched_pg: str) -> None:
    owner = auth.create_first_admin("Pat Postgres", "pat@example.com", PASSWORD, PASSWORD)
    claim_in_processes(owner.id, sched_pg)


# --------------------------------------------------------------------------- running due schedules


def test_run_due_records_a_failed_sync_and_releases_the_lease(dead_server: int) -> None:
    ids = defaults(dead_server)
    make_due(ids["incremental"])
    before = utcnow()

    assert scheduler.run_due(owner="worker-a") == [(ids["incremental"], "failed")]

    done = row(ids["incremental"])
    assert done.run_count == 1 and (done.last_error or "").startswith("Plex unreachable")
    assert done.lease_owner is None and done.lease_expires_at is None
    assert done.last_run_at is not None and before <= done.last_run_at <= utcnow()
    assert near(done.next_run_at, utcnow() + timedelta(minutes=15))
    assert row(ids["full"]).run_count == 0  # not due
    assert [(r.trigger, r.status) for r in runs(dead_server)] == [("scheduler", "failed")]
    assert scheduler.run_due(owner="worker-a") == []  # next run is 15 minutes away


def test_run_due_syncs_and_clears_an_earlier_error(live_server: int, sim: PlexSimulator) -> None:
    ids = defaults(live_server)
    sim.faults.status = 401
    make_due(ids["full"])
    assert scheduler.run_due() == [(ids["full"], "failed")]
    assert row(ids["full"]).last_error

    sim.faults.reset()
    scheduler.run_now(ids["full"])
    assert scheduler.run_due() == [(ids["full"], "succeeded")]

    done = row(ids["full"])
    assert done.run_count == 2 and done.last_error is None and done.lease_owner is None
    assert near(done.next_run_at, utcnow() + timedelta(days=7))
    assert [(r.kind, r.trigger, r.status) for r in runs(live_server)] == [
        ("full", "scheduler", "failed"),
        ("full", "scheduler", "succeeded"),
    ]
    with session() as s:
        assert len(s.exec(select(MediaItem.id).where(MediaItem.server_id == live_server)).all()) > 30


def test_a_crashing_job_records_its_error(dead_server: int) -> None:
    with session() as s:
        bogus = SyncSchedule(server_id=dead_server, kind="hourly", interval_minutes=60, next_run_at=utcnow())
        s.add(bogus)
    make_due(bogus.id or 0)

    assert scheduler.run_due() == [(bogus.id, "failed")]

    done = row(bogus.id or 0)
    assert done.last_error == "ValueError: unknown sync kind 'hourly'"
    assert done.run_count == 1 and done.lease_owner is None and done.last_run_at is not None


def test_disabled_schedules_never_run(dead_server: int) -> None:
    ids = defaults(dead_server)
    for schedule_id in ids.values():
        scheduler.update_schedule(schedule_id, enabled=False)
    make_due()

    assert scheduler.run_due() == []
    assert scheduler.run_due(utcnow() + timedelta(days=30)) == []
    assert runs(dead_server) == [] and all(row(i).run_count == 0 for i in ids.values())


def test_a_schedule_leased_by_a_live_worker_is_skipped(dead_server: int) -> None:
    ids = defaults(dead_server)
    make_due(ids["incremental"])
    assert scheduler.claim_due(utcnow(), "worker-a") == [ids["incremental"]]

    assert scheduler.run_due(owner="worker-b") == []
    assert runs(dead_server) == [] and row(ids["incremental"]).lease_owner == "worker-a"


def test_concurrent_ticks_run_each_schedule_once(admin: UserView, sim: PlexSimulator) -> None:
    sim.faults.latency = 0.05  # long enough runs that the ticks overlap
    servers = [add_server(admin.id, 1, sim.url, token=sim.token, machine_id=sim.machine_identifier)]
    servers += [add_server(admin.id, n, f"http://127.0.0.1:{closed_port()}") for n in (2, 3)]
    ids = [v.id for sid in servers for v in scheduler.ensure_default_schedules(sid)]
    make_due()
    barrier = threading.Barrier(4)
    results: list[list[tuple[int, str]]] = [[] for _ in range(4)]

    def tick(n: int) -> None:
        barrier.wait()
        results[n] = scheduler.run_due(owner=f"worker-{n}")

    threads = [threading.Thread(target=tick, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert_each_claimed_once([[sid for sid, _status in r] for r in results], ids)
    assert sum(1 for r in results if r) >= 2  # the work was shared
    assert all(row(i).run_count == 1 and row(i).lease_owner is None for i in ids)
    for sid in servers:  # one server never synced two schedules at once
        spans = sorted((r.started_at, r.finished_at) for r in runs(sid))
        assert all(end is not None and end <= next_start for (_s, end), (next_start, _e) in pairwise(spans))
    assert sum(len(runs(sid)) for sid in servers) == len(ids)


def test_a_long_sync_keeps_its_lease(live_server: int, sim: PlexSimulator) -> None:
    ids = defaults(live_server)
    make_due(ids["full"])
    sim.faults.latency = 0.4  # ten requests: the sync takes about four seconds, twice its lease
    stolen: list[int] = []
    result: list[tuple[int, str]] = []
    runner = threading.Thread(target=lambda: result.extend(scheduler.run_due(owner="worker-a", lease_seconds=2)))
    runner.start()
    while row(ids["full"]).lease_owner != "worker-a":
        time.sleep(0.01)
    began = time.monotonic()
    asked = datetime.fromisoformat(scheduler.run_now(ids["full"]).next_run_at or "")  # due again while it runs
    assert {v.id: v.running for v in scheduler.list_schedules()}[ids["full"]]
    while runner.is_alive() and row(ids["full"]).run_count == 0:  # once its finish is recorded, it is due again
        stolen += scheduler.claim_due(utcnow(), "worker-b")
        time.sleep(0.05)
    runner.join()

    assert result == [(ids["full"], "succeeded")]
    assert time.monotonic() - began > 3  # outlived its lease
    assert stolen == []
    done = row(ids["full"])
    assert done.lease_owner is None and done.run_count == 1
    assert done.next_run_at == asked  # "run now" pressed during the run is kept, not overwritten


def test_stop_cancels_the_running_sync(live_server: int, sim: PlexSimulator) -> None:
    ids = defaults(live_server)
    make_due()
    sim.faults.latency = 0.3  # the first page is written after 1.5 s; the heartbeat sees `stop` within 0.5 s
    stop = threading.Event()
    threading.Timer(0.2, stop.set).start()

    assert scheduler.run_due(owner="worker-a", stop=stop) == [(ids["incremental"], "cancelled")]
    done = row(ids["incremental"])
    assert done.lease_owner is None and done.run_count == 1 and done.last_error is None
    assert row(ids["full"]).run_count == 0  # no further schedule starts once stopping


# --------------------------------------------------------------------------- the lifespan task


@pytest.fixture
def scheduler_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SMARTPLEX_SCHEDULER", "1")
    reload_settings()
    yield
    monkeypatch.undo()
    reload_settings()


@pytest.mark.anyio
async def test_lifespan_does_nothing_when_switched_off(dead_server: int) -> None:
    ids = defaults(dead_server)
    make_due()
    async with scheduler.scheduler_lifespan() as sched:
        assert sched is None
        await anyio.sleep(0.3)
    assert all(row(i).run_count == 0 for i in ids.values())


@pytest.mark.anyio
async def test_lifespan_ticks_at_start_and_stops_cleanly(dead_server: int, scheduler_on: None) -> None:
    ids = defaults(dead_server)
    make_due(ids["incremental"])

    async with scheduler.scheduler_lifespan() as sched:
        assert sched is not None and sched.running
        job = sched.get_job("sync_schedules")
        assert job.trigger.interval == timedelta(seconds=60)
        assert job.max_instances == 1 and job.coalesce and job.misfire_grace_time == 30
        with anyio.fail_after(20):
            while row(ids["incremental"]).run_count == 0:  # the first tick runs at start
                await anyio.sleep(0.1)

    assert not sched.running
    done = row(ids["incremental"])
    assert done.last_error and done.lease_owner is None
    assert row(ids["full"]).run_count == 0


@pytest.mark.anyio
async def test_leaving_the_lifespan_cancels_a_running_sync(
    live_server: int, sim: PlexSimulator, scheduler_on: None
) -> None:
    ids = defaults(live_server)
    make_due(ids["incremental"])
    sim.faults.latency = 0.3  # the sync is still counting when the lifespan ends

    async with scheduler.scheduler_lifespan():
        with anyio.fail_after(20):
            while row(ids["incremental"]).lease_owner is None:
                await anyio.sleep(0.05)
        assert row(ids["incremental"]).lease_owner == scheduler.worker_id()

    done = row(ids["incremental"])  # recorded and released before the worker goes
    assert done.lease_owner is None and done.run_count == 1
    assert [r.status for r in runs(live_server)] == ["cancelled"]
