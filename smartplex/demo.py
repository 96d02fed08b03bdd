"""`make demo`: SmartPlex against the Plex and Seerr simulators, with members, histories, live webhooks and
requests, a second, smaller Plex server ("Cabin", shared with some of the members), and a simulated plex.tv for
"Sign in with Plex" (its sign-in page lists the server's people to continue as).

The demo keeps its own data folder (and so its own database and key); it never touches the real one.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
from collections.abc import Callable

import httpx

from smartplex.config import PROJECT_ROOT

DEMO_DIR = PROJECT_ROOT / "data-demo"
ADMIN_EMAIL = "admin@demo.smartplex"
MEMBER_PASSWORD = ADMIN_PASSWORD = "smartplex-demo"
# The second server's people: its owner and three of the main server's members (same Plex accounts, so the same people).
CABIN_ACCOUNTS = ((1, "PlexOwner"), (3972737, "Kids"), (5129384, "alice.w"), (8801245, "carmen.s"))


def _prepare_environment(port: int, plex_tv_url: str) -> None:
    os.environ["SMARTPLEX_DATA_DIR"] = str(DEMO_DIR)
    os.environ["SMARTPLEX_PLEX_TV_URL"] = plex_tv_url
    os.environ["SMARTPLEX_DB_URL"] = f"sqlite:///{DEMO_DIR / 'smartplex.db'}"
    os.environ.pop("SMARTPLEX_SECRET_KEY", None)
    os.environ["PORT"] = str(port)
    from smartplex.config import reload_settings

    reload_settings()


def _seed(sim_url: str, sim) -> str:  # noqa: ANN001 - PlexSimulator, imported lazily
    """Create the admin, members linked to the simulator's accounts, the server, and sync it."""
    from smartplex import migrations
    from smartplex.models import Role
    from smartplex.services import auth
    from smartplex.services.plex import accounts, servers

    migrations.upgrade()
    admin = auth.user_by_email(ADMIN_EMAIL) or auth.create_user("Demo Admin", ADMIN_EMAIL, ADMIN_PASSWORD, Role.ADMIN)
    for account in sim.accounts[1:]:
        email = f"{account.name.lower()}@demo.smartplex"
        if auth.user_by_email(email) is None:
            user = auth.create_user(account.name, email, MEMBER_PASSWORD)
            accounts.link_user(user.id, account.id, account.name)
    _connect(admin.id, sim_url, sim)
    return servers.ensure_webhook_secret(admin.id)


def _seed_cabin(cabin_url: str, cabin) -> None:  # noqa: ANN001 - PlexSimulator, imported lazily
    """Connect the second server, a small holiday-home library shared with some of the members."""
    from smartplex.services import auth

    admin = auth.user_by_email(ADMIN_EMAIL)
    assert admin is not None
    _connect(admin.id, cabin_url, cabin)


def _connect(admin_id: int, url: str, sim) -> None:  # noqa: ANN001 - PlexSimulator, imported lazily
    """Connect a simulated server as the wizard does, with its schedules, and sync it."""
    from smartplex.services.plex import servers, sync
    from smartplex.services.scheduler import ensure_default_schedules

    server = servers.save_server(
        admin_id,
        name=sim.friendly_name,
        machine_id=sim.machine_identifier,
        urls=[url],
        preferred_url=url,
        token=sim.token,
        version="1.41.0",
    )
    ensure_default_schedules(server.id)
    result = sync.run_sync(server.id, "full", "demo")
    if result.status != "succeeded":
        raise RuntimeError(f"the {sim.friendly_name} library did not sync: {result.error}")


def _seed_seerr(seerr, webhook_base: str) -> None:  # noqa: ANN001 - OverseerrSimulator, imported lazily
    """Connect the Seerr simulator as the household's Seerr, give every member a Seerr user (matched by Plex
    account), and point Seerr's webhook at SmartPlex with an Authorization header."""
    from smartplex.models import IntegrationKind
    from smartplex.services import auth
    from smartplex.services.integrations import store
    from smartplex.services.integrations import webhooks as integration_webhooks
    from smartplex.services.overseerr import people
    from smartplex.simulators.overseerr import ADMIN, AUTO_APPROVE, REQUEST

    admin = auth.user_by_email(ADMIN_EMAIL)
    assert admin is not None
    for user in auth.list_users(admin.id):
        if not any(u.email == user.email for u in seerr.users.values()):
            permissions = ADMIN if user.is_admin else REQUEST | (AUTO_APPROVE if user.name.startswith("K") else 0)
            seerr.add_user(user.name, user.email, plex_id=user.plex_account_id, permissions=permissions)
    store.save(admin.id, IntegrationKind.OVERSEERR, base_url=seerr.url, secret=seerr.api_key)
    secret = integration_webhooks.ensure_secret(IntegrationKind.OVERSEERR)
    seerr.webhook_url = f"{webhook_base}/api/webhooks/overseerr/{secret}"
    seerr.webhook_auth = "Bearer smartplex-demo"
    integration_webhooks.set_authorization(admin.id, IntegrationKind.OVERSEERR, seerr.webhook_auth)
    people.refresh(admin.id)


def _trickle(sim, webhook_url: str, stop: threading.Event, every: float) -> None:  # noqa: ANN001
    """Fire believable play sessions at SmartPlex until stopped."""
    from smartplex.simulators.plex_webhooks import fire_webhook

    rng = random.Random(7)
    playable = [rk for rk, item in sim.items.items() if item.type in ("movie", "episode")]
    with httpx.Client(timeout=5) as client:
        while not stop.wait(every):
            account = rng.choice(sim.accounts)
            rating_key = rng.choice(playable)
            for event in ("media.play", rng.choice(("media.stop", "media.scrobble"))):
                try:
                    fire_webhook(sim, webhook_url, event, account.id, rating_key, client=client)
                except httpx.HTTPError:
                    break
            if event == "media.scrobble":
                sim.add_play(account.id, rating_key)


def main(announce: Callable[[str], None], port: int = 3000, every: float = 5.0) -> int:
    """Run the demo until interrupted; `announce` tells the operator where and how to sign in."""
    from smartplex.simulators.overseerr import OverseerrSimulator
    from smartplex.simulators.plex import PlexSimulator
    from smartplex.simulators.plextv import PlexTvSimulator

    sim = PlexSimulator(movies=1500, shows=40, seasons=3, episodes=10, seed=42, friendly_name="Demo Plex")
    cabin = PlexSimulator(
        movies=120, shows=6, seasons=2, episodes=6, seed=7, friendly_name="Cabin", accounts=CABIN_ACCOUNTS,
        plays_per_account=15,
    )  # fmt: skip
    seerr = OverseerrSimulator(api_key="smartplex-demo-seerr-key")
    plex_tv = PlexTvSimulator.for_plex(sim)
    with sim.serve() as server, cabin.serve() as cabin_server, seerr.serve(), plex_tv.serve() as plex_tv_server:
        _prepare_environment(port, plex_tv_server.url)
        secret = _seed(server.url, sim)
        _seed_cabin(cabin_server.url, cabin)
        _seed_seerr(seerr, f"http://127.0.0.1:{port}")
        app = subprocess.Popen(
            [sys.executable, "-m", "reflex", "run", "--env", "prod", "--frontend-port", str(port), "--backend-port", str(port)],
            cwd=PROJECT_ROOT,
        )
        stop = threading.Event()
        webhook_url = f"http://127.0.0.1:{port}/api/webhooks/plex/{secret}"
        trickler = threading.Thread(target=_trickle, args=(sim, webhook_url, stop, every), daemon=True)
        announce(
            f"\nSmartPlex demo on http://localhost:{port}  sign in as {ADMIN_EMAIL} / {ADMIN_PASSWORD}\n"
            f"Members sign in as <name>@demo.smartplex / {MEMBER_PASSWORD}, or with Plex (simulated plex.tv on "
            f"{plex_tv_server.url}). Data: {DEMO_DIR}\n"
            f"Requests go to a simulated Overseerr / Seerr at {seerr.url} (Admin → Integrations).\n"
            f"Two Plex servers are connected: {sim.friendly_name} and {cabin.friendly_name} (Admin → Plex).\n"
        )
        trickler.start()
        try:
            return app.wait()
        except KeyboardInterrupt:
            app.terminate()
            return app.wait()
        finally:
            stop.set()
