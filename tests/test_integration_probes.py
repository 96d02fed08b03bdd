"""Health probes of every integration against real servers on 127.0.0.1 (the Plex, Seerr and Tautulli simulators,
a Prism mock of the OpenAI spec), and services that hang, refuse the key, answer HTML or fail TLS: the status in
words, the stored history, the circuit, and the admins' alerts once per change."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from smartplex.db import get_engine
from smartplex.models import PROBES, IntegrationKind, utcnow
from smartplex.services import auth, notifications
from smartplex.services.ai import provider
from smartplex.services.integrations import probes, status, store
from smartplex.services.notifications import kinds
from smartplex.services.tautulli import setup as tautulli_setup
from smartplex.simulators.overseerr import OverseerrSimulator
from smartplex.simulators.plex import PlexSimulator
from smartplex.simulators.tautulli import TautulliSimulator
from tests import factories
from tests.prism import PrismMock

LIMIT = 1.0


@dataclass
class Household:
    plex_id: int
    plex: PlexSimulator
    seerr: OverseerrSimulator
    tautulli: TautulliSimulator
    admin: auth.UserView

    def id_of(self, kind: str) -> int:
        return next(t.integration_id for t in probes.targets() if t.kind == kind)


@pytest.fixture
def household(admin: auth.UserView, plex_sim: PlexSimulator, seerr_sim: OverseerrSimulator,
              tautulli_sim: tuple[TautulliSimulator, str]) -> Household:  # fmt: skip
    server_id = factories.simulated_server(admin.id, plex_sim)
    store.save(admin.id, IntegrationKind.OVERSEERR, base_url=seerr_sim.url, secret=seerr_sim.api_key)
    tautulli, url = tautulli_sim
    tautulli_setup.save(admin.id, url, tautulli.api_key)
    return Household(server_id, plex_sim, seerr_sim, tautulli, admin)


def probe_all(limit: float = LIMIT) -> dict[str, probes.Outcome]:
    return {t.kind: o for t, o in asyncio.run(probes.probe_all(limit))}


def admin_news(admin: auth.UserView) -> list[str]:
    return [n.title for n in notifications.recent(admin.id, limit=50)]


def test_every_integration_healthy_with_its_version(household: Household) -> None:
    found = probe_all(5.0)
    assert set(found) == {"plex", "overseerr", "tautulli"}
    assert {k: o.status for k, o in found.items()} == {"plex": "ok", "overseerr": "ok", "tautulli": "ok"}
    reports = {r.kind: r for r in status.reports()}
    assert reports["plex"].name == f"Plex · {household.plex.friendly_name}" and reports["plex"].version
    assert reports["overseerr"].version and reports["tautulli"].version == "v2.15.3"
    assert reports["tautulli"].summary.startswith("Healthy · ") and reports["tautulli"].checked_at
    assert [r.kind for r in status.reports()][0] == "plex"  # Plex servers first
    with get_engine().connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(PROBES)).scalar_one() == 3


def test_the_ai_provider_against_the_openai_spec(admin: auth.UserView, openai_mock: PrismMock) -> None:
    openai_mock.clear()
    provider.save(admin.id, base_url=openai_mock.base_url + "/v1/", api_key="sk-test-key", model="string")
    (target,) = probes.targets()
    assert asyncio.run(probes.probe(target, 5.0)).status == "ok"
    provider.save(admin.id, base_url=openai_mock.base_url + "/v1", api_key=None, model="gpt-4o-mini")  # the stored key stays
    outcome = asyncio.run(probes.probe(target, 5.0))
    assert (outcome.status, outcome.error) == ("degraded", "Does not offer the model gpt-4o-mini")
    assert status.report(target.integration_id).summary == "Does not offer the model gpt-4o-mini"
    assert openai_mock.violations() == []  # what we send is what the spec describes
    store.save(admin.id, IntegrationKind.OPENAI, base_url=openai_mock.base_url + "/v1", secret="")  # no key: refused
    outcome = asyncio.run(probes.probe(target, 5.0))
    assert (outcome.status, outcome.error) == ("rejected", "API key rejected")


@pytest.mark.parametrize("kind", ["plex", "overseerr", "tautulli"])
def test_a_refused_key_says_so_and_is_not_called_unreachable(household: Household, kind: str) -> None:
    if kind == "plex":
        household.plex.token = "changed-on-the-server"
    elif kind == "overseerr":
        household.seerr.api_key = "regenerated"
    else:
        household.tautulli.api_key = "regenerated"
    found = probe_all()
    assert found[kind].status == "rejected"
    assert found[kind].error == ("Token rejected" if kind == "plex" else "API key rejected")
    assert "unreachable" not in status.report(household.id_of(kind)).summary.lower()
    # A refused key is told at once (it will not fix itself), once.
    name = "Overseerr / Seerr" if kind == "overseerr" else "Tautulli" if kind == "tautulli" else f"Plex · {household.plex.friendly_name}"
    probe_all()
    assert admin_news(household.admin) == [f"{name} refuses SmartPlex's credentials"]


def test_html_instead_of_json_is_named(household: Household, html_server: str) -> None:
    household.tautulli.faults.html = True
    store.save(household.admin.id, IntegrationKind.OVERSEERR, base_url=html_server)
    provider.save(household.admin.id, base_url=html_server, api_key="sk-x", model="gpt-4o-mini")
    found = probe_all()
    assert found["tautulli"].status == "down" and "answered HTML" in found["tautulli"].error
    assert found["openai"].status == "down" and found["openai"].error.startswith("Answered HTML, not an OpenAI-compatible API")
    assert found["overseerr"].status == "down" and "not JSON" in found["overseerr"].error


def test_an_untrusted_certificate_is_a_tls_error(household: Household, untrusted_tls_server: str) -> None:
    tautulli_setup.save(household.admin.id, untrusted_tls_server, "k" * 32)
    provider.save(household.admin.id, base_url=untrusted_tls_server + "/v1", api_key="sk-x", model="m")
    found = probe_all()
    assert found["tautulli"].error == "Tautulli unreachable: TLS error"
    assert found["openai"].error == "Unreachable: TLS error"


def test_four_integrations_two_hanging_take_one_timeout(
    household: Household, html_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Probes run at once, each bounded: two services that never answer cost one timeout, not two."""
    provider.save(household.admin.id, base_url=html_server, api_key="sk-x", model="m")
    household.seerr.faults.hang = True
    household.tautulli.faults.hang = True
    began = time.monotonic()
    found = probe_all(LIMIT)
    took = time.monotonic() - began
    household.seerr.faults.reset()
    household.tautulli.faults.reset()
    assert took < LIMIT + 0.2, took  # one timeout (recording the answers included), not two
    assert found["plex"].status == "ok" and found["openai"].status == "down"
    for kind in ("overseerr", "tautulli"):
        assert found[kind].status == "down"
        assert "timeout" in found[kind].error or "No answer within 1 s" in found[kind].error


def test_a_probe_under_way_is_shared_not_repeated(household: Household) -> None:
    household.tautulli.faults.latency = 0.3
    target = next(t for t in probes.targets() if t.kind == "tautulli")

    async def twice() -> list[probes.Outcome]:
        return await asyncio.gather(probes.probe(target, LIMIT), probes.probe(target, LIMIT))

    first, second = asyncio.run(twice())
    assert first == second
    assert household.tautulli.requests == ["get_tautulli_info", "get_server_identity"]  # one probe's questions
    with get_engine().connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(PROBES)).scalar_one() == 1


def test_slow_and_degraded_are_yellow_with_the_reason(household: Household, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(probes, "SLOW_MS", 100)
    household.seerr.faults.latency = 0.25
    household.tautulli.machine_identifier = "f" * 40  # now watches a server SmartPlex does not know
    found = probe_all()
    assert found["overseerr"].status == "slow" and found["overseerr"].error.startswith("Slow: answered in 0.")
    assert found["tautulli"].status == "degraded" and "not connected to" in found["tautulli"].error
    assert admin_news(household.admin) == []  # answering, so no alert


def test_down_is_told_after_two_failed_probes_and_back_once(household: Household) -> None:
    household.seerr.faults.status = 503
    probe_all()
    assert admin_news(household.admin) == []  # one miss may be a blip
    probe_all()
    probe_all()
    assert admin_news(household.admin) == ["Overseerr / Seerr is down"]
    (news,) = notifications.recent(household.admin.id)
    assert "did not answer" in news.body and news.link == f"/admin/integrations#integration-{household.id_of('overseerr')}"
    household.seerr.faults.reset()
    probe_all()
    probe_all()
    assert admin_news(household.admin) == ["Overseerr / Seerr is back", "Overseerr / Seerr is down"]


def test_the_circuit_opens_after_three_failures_and_a_good_probe_closes_it(household: Household) -> None:
    household.tautulli.faults.status = 500
    for _ in range(3):
        probe_all()
    report = status.report(household.id_of("tautulli"))
    assert (report.circuit, report.failures_in_a_row) == ("open", 3) and report.retry_at is not None
    assert store.blocked_until(IntegrationKind.TAUTULLI) is not None  # the import and other calls wait
    household.tautulli.faults.reset()
    probe_all()
    report = status.report(household.id_of("tautulli"))
    assert (report.circuit, report.status) == ("closed", "ok")


def test_a_members_alert_switch_is_respected_and_members_never_get_admin_alerts(
    household: Household, member: auth.UserView
) -> None:
    from smartplex.services.notifications import switches

    switches.set_enabled(household.admin.id, True, kinds.INTEGRATION_HEALTH, False)
    household.seerr.api_key = "regenerated"
    probe_all()
    assert admin_news(household.admin) == [] and notifications.recent(member.id) == []


def test_history_for_the_sparkline_and_retention(household: Household) -> None:
    seerr = next(t for t in probes.targets() if t.kind == "overseerr")
    now = utcnow()
    for minutes, outcome in ((1400, probes.Outcome("ok", 40)), (60, probes.Outcome("down", 0, error="x")),
                             (30, probes.Outcome("ok", 35)), (20, probes.Outcome("slow", 2100)),
                             (60 * 24 * 8, probes.Outcome("ok", 1))):  # fmt: skip
        probes.record(seerr, outcome, now - timedelta(minutes=minutes))
    points = status.history(now)[seerr.integration_id]
    assert len(points) == status.BUCKETS
    probed = [(p.ok, p.slow, p.down) for p in points if p.ok or p.slow or p.down]
    assert probed == [(40, 0, 0), (0, 0, 2100), (0, 2100, 0)]  # oldest first; older than 24 h left out
    assert probes.prune(now) == 1


def test_a_removed_integration_starts_afresh(household: Household) -> None:
    household.tautulli.api_key = "regenerated"
    probe_all()
    key = f"integration:{household.id_of('tautulli')}"
    store.remove(household.admin.id, IntegrationKind.TAUTULLI)
    assert "tautulli" not in {t.kind for t in probes.targets()}
    with get_engine().connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM alert_state WHERE key = :k"), {"k": key}).scalar_one() == 0
