"""The demo's seeding: admin, linked members, a synced server, and webhooks that land."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from smartplex import demo
from smartplex.db import get_engine
from smartplex.services import auth
from smartplex.services.plex import servers
from smartplex.simulators.plex import PlexSimulator


def _count(sql: str) -> int:
    with get_engine().connect() as conn:
        return conn.execute(sa.text(sql)).scalar_one()


def test_seed_is_complete_and_idempotent(db_url: str) -> None:
    sim = PlexSimulator(movies=60, shows=3, seasons=2, episodes=4, seed=42)
    with sim.serve() as server:
        secret = demo._seed(server.url, sim)
        assert demo._seed(server.url, sim) == secret
    admin = auth.user_by_email(demo.ADMIN_EMAIL)
    assert admin is not None and admin.is_admin
    assert servers.owner_for_webhook_secret(secret) == admin.id
    assert _count('SELECT count(*) FROM "user"') == len(sim.accounts)
    assert _count('SELECT count(*) FROM "user" WHERE plex_account_id IS NOT NULL') == len(sim.accounts) - 1
    assert _count("SELECT count(*) FROM media_item WHERE type = 'movie'") == 60
    assert _count("SELECT count(*) FROM watch_event WHERE source = 'history' AND user_id IS NOT NULL") > 0
    assert _count("SELECT count(*) FROM sync_schedule") == 2


def test_trickle_fires_real_webhooks(db_url: str) -> None:

    from smartplex.api import create_api
    from smartplex.simulators.server import ThreadedServer

    sim = PlexSimulator(movies=30, shows=1, seasons=1, episodes=3, seed=42)
    with sim.serve() as plex, ThreadedServer(create_api()) as api:
        secret = demo._seed(plex.url, sim)
        stop = threading.Event()
        worker = threading.Thread(target=demo._trickle, args=(sim, f"{api.url}/api/webhooks/plex/{secret}", stop, 0.05))
        worker.start()
        try:
            for _ in range(200):
                if _count("SELECT count(*) FROM webhook_event WHERE status = 'accepted'") >= 4:
                    break
                stop.wait(0.05)
        finally:
            stop.set()
            worker.join(5)
    assert _count("SELECT count(*) FROM webhook_event WHERE status = 'accepted'") >= 4
    assert _count("SELECT count(*) FROM webhook_event WHERE status <> 'accepted'") == 0


def test_the_demo_connects_a_simulated_seerr_where_members_can_request(db_url: str) -> None:
    from smartplex.api import create_api
    from smartplex.services.overseerr import people
    from smartplex.services.requests import requesting
    from smartplex.simulators.overseerr import OverseerrSimulator
    from smartplex.simulators.server import ThreadedServer

    sim = PlexSimulator(movies=20, shows=1, seasons=1, episodes=2, seed=42)
    seerr = OverseerrSimulator()
    with sim.serve() as plex, seerr.serve(), ThreadedServer(create_api()) as api:
        demo._seed(plex.url, sim)
        demo._seed_seerr(seerr, api.url)
        demo._seed_seerr(seerr, api.url)  # idempotent
        member = auth.user_by_email(f"{sim.accounts[1].name.lower()}@demo.smartplex")
        assert member is not None and people.seerr_user_for(member.id) is not None
        assert len(seerr.users) == len(sim.accounts) + 1  # Seerr's own admin, and one user per person
        assert requesting.submit(member.id, "movie", 438631).row.title == "Dune"
        for _ in range(100):
            if _count("SELECT count(*) FROM webhook_event WHERE source = 'overseerr' AND status = 'accepted'"):
                break
            threading.Event().wait(0.05)
    assert _count("SELECT count(*) FROM webhook_event WHERE source = 'overseerr' AND status = 'accepted'") == 1


def test_demo_people_sign_in_with_plex(db_url: str, monkeypatch) -> None:  # noqa: ANN001 - pytest's fixture
    """`make demo` serves a simulated plex.tv for its server: the owner is the demo admin, members are themselves."""
    from smartplex.config import reload_settings
    from smartplex.services.plextv import signin
    from smartplex.simulators.plextv import PlexTvSimulator

    sim = PlexSimulator(movies=20, shows=1, seasons=1, episodes=2, seed=42)
    plex_tv = PlexTvSimulator.for_plex(sim)
    with sim.serve() as server, plex_tv.serve() as tv:
        demo._seed(server.url, sim)
        monkeypatch.setenv("SMARTPLEX_PLEX_TV_URL", tv.url)
        reload_settings()
        signed = {}
        for account in (sim.account(1), sim.accounts[2]):
            pending, _page = signin.start("http://localhost:3000/plex-signed-in.html")
            plex_tv.sign_in(pending.code, plex_tv.accounts[account.plex_id])
            result = signin.finish(pending)
            assert result is not None
            signed[account.name] = result.user.email
    monkeypatch.undo()
    reload_settings()
    assert signed == {sim.account(1).name: demo.ADMIN_EMAIL, sim.accounts[2].name: f"{sim.accounts[2].name.lower()}@demo.smartplex"}
