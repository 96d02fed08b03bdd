"""The watching the scheduler does every minute in every worker: each recurring job runs once per interval, whichever
worker ticks first, and a failing job does not stop the others."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest

from smartplex.models import IntegrationKind, utcnow
from smartplex.services import auth, monitoring, recurring
from smartplex.services.integrations import probes, status, store
from smartplex.simulators.overseerr import OverseerrSimulator


def test_a_job_is_claimed_by_one_worker_per_interval(db_url: str) -> None:
    barrier, won = threading.Barrier(4), []

    def tick(owner: str) -> None:
        barrier.wait()
        won.append(recurring.claim("probe", timedelta(minutes=3), owner))

    threads = [threading.Thread(target=tick, args=(f"worker-{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(won) == [False, False, False, True]
    assert not recurring.claim("probe", timedelta(minutes=3), "late", utcnow() + timedelta(minutes=2))
    assert recurring.claim("probe", timedelta(minutes=3), "later", utcnow() + timedelta(minutes=3, seconds=1))


def test_a_tick_probes_and_checks_once_for_all_workers(admin: auth.UserView, seerr_sim: OverseerrSimulator) -> None:
    store.save(admin.id, IntegrationKind.OVERSEERR, base_url=seerr_sim.url, secret=seerr_sim.api_key)
    first = asyncio.run(monitoring.tick("worker-a"))
    second = asyncio.run(monitoring.tick("worker-b"))
    assert set(first) == {"integration_probes", "admin_alerts", "digests", "prune_probes"} and second == []
    (report,) = status.reports()
    assert report.status == "ok" and report.checked_at is not None


def test_a_failing_job_does_not_stop_the_others(admin: auth.UserView, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken() -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(monitoring, "JOBS", (("broken", timedelta(minutes=1), broken), *monitoring.JOBS))
    ran = asyncio.run(monitoring.tick("worker-a"))
    assert ran[0] == "broken" and "admin_alerts" in ran
    assert probes.targets() == []
