"""Removing a Plex server from the household, against the Plex simulator and the real database: what stays (plays
as readable history, the rows), what goes (recommendations, search, recently added, schedules, health), who may
remove one, a sync or webhook that arrives meanwhile, connecting it again; and the admin page and wizard on top."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import reflex as rx
import sqlalchemy as sa
from reflex.istate.data import RouterData
from starlette.testclient import TestClient

from smartplex.api import create_api
from smartplex.db import get_engine
from smartplex.models import INTEGRATIONS, MEDIA, SERVERS, SYNC_SCHEDULES, WATCH, Role
from smartplex.services import auth, dashboard, scheduler, vault
from smartplex.services.dashboard.search import search_titles
from smartplex.services.plex import removal, servers, sync, webhooks
from smartplex.services.plex.sync import SyncProgress
from smartplex.services.recommendations import recommend
from smartplex.simulators.plex import PlexSimulator
from smartplex.simulators.plex_webhooks import webhook_payload
from smartplex.state.auth import AuthState
from smartplex.state.onboarding import OnboardingState
from smartplex.state.plex_admin import PlexAdminState
from tests import factories
from tests.conftest import PASSWORD
from tests.plex_fixtures import FAST, SHARED_USER
from tests.webhook_fixtures import OWNER_ACCOUNT, movie, post

TOTAL = 300 + 5 * (1 + 2 + 2 * 5)  # the plex_sim library
TITLES = 300 + 5  # its movies and shows
REFUSED = '["error"]("Only an admin can do that.")'


@dataclass(frozen=True)
class Household:
    admin: auth.UserView
    alice: int  # a member linked to a Plex account with plays on the server
    server_id: int
    sim: PlexSimulator


@pytest.fixture
def household(admin: auth.UserView, plex_sim: PlexSimulator) -> Household:
    alice = factories.person("Alice", SHARED_USER)
    server_id = factories.simulated_server(admin.id, plex_sim)
    scheduler.ensure_default_schedules(server_id)
    assert sync.run_sync(server_id, "full", "manual", options=FAST).status == "succeeded"
    return Household(admin, alice, server_id, plex_sim)


@pytest.fixture
def fresh_webhook_caches() -> Iterator[None]:
    webhooks.forget_cached()
    yield
    webhooks.forget_cached()


def scalar(stmt: Any) -> Any:
    with get_engine().connect() as conn:
        return conn.execute(stmt).scalar_one()


def present(server_id: int) -> int:
    return scalar(sa.select(sa.func.count()).where(MEDIA.c.server_id == server_id, MEDIA.c.removed_at.is_(None)))


def rows(server_id: int) -> int:
    return scalar(sa.select(sa.func.count()).where(MEDIA.c.server_id == server_id))


def plays(server_id: int) -> int:
    return scalar(sa.select(sa.func.count()).where(WATCH.c.server_id == server_id))


def removed_at(server_id: int) -> Any:
    return scalar(sa.select(SERVERS.c.removed_at).where(SERVERS.c.id == server_id))


def schedules(server_id: int) -> int:
    return scalar(sa.select(sa.func.count()).where(SYNC_SCHEDULES.c.server_id == server_id))


def health_rows(server_id: int) -> int:
    return scalar(sa.select(sa.func.count()).where(INTEGRATIONS.c.server_id == server_id))


def history_titles(user_id: int, server_id: int) -> list[str]:
    return [row.card.title for row in dashboard.history(user_id, server_id, page_size=100).rows]


def a_movie_title(sim: PlexSimulator) -> str:
    return next(item.title for item in sim.items.values() if item.type == "movie")


# --------------------------------------------------------------------------- the service


def test_preview_says_what_leaves_and_what_stays(household: Household) -> None:
    h = household
    assert plays(h.server_id) > 0 and present(h.server_id) == TOTAL

    preview = removal.preview(h.admin.id, h.server_id)

    assert (preview.server_id, preview.name, preview.titles, preview.plays) == (
        h.server_id, h.sim.friendly_name, TITLES, plays(h.server_id),
    )  # fmt: skip
    assert preview.sentence == (
        f"{TITLES} titles from {h.sim.friendly_name} leave recommendations and search; "
        f"{plays(h.server_id)} plays stay in people's history."
    )
    assert removed_at(h.server_id) is None  # a preview changes nothing


def test_removal_keeps_history_and_takes_the_items_out_of_everything_else(household: Household) -> None:
    h = household
    history_before = history_titles(h.alice, h.server_id)
    title = a_movie_title(h.sim)
    assert history_before and "Unknown title" not in history_before
    assert recommend(h.alice, h.server_id) and search_titles(h.server_id, title)
    assert dashboard.recently_added(h.server_id)
    assert schedules(h.server_id) == 2 and health_rows(h.server_id) == 1
    events = plays(h.server_id)

    done = removal.remove(h.admin.id, h.server_id)

    assert (done.titles, done.plays) == (TITLES, events)
    assert history_titles(h.alice, h.server_id) == history_before  # titles stay readable
    assert plays(h.server_id) == events and rows(h.server_id) == TOTAL  # nothing deleted
    assert present(h.server_id) == 0
    assert recommend(h.alice, h.server_id) == []
    assert search_titles(h.server_id, title) == []
    assert dashboard.recently_added(h.server_id) == []
    assert schedules(h.server_id) == 0 and health_rows(h.server_id) == 0
    assert servers.servers_for_owner(h.admin.id) == [] and removed_at(h.server_id) is not None
    with pytest.raises(servers.ServerError, match="removed"):
        sync.run_sync(h.server_id, "full", "manual", options=FAST)  # nor does a scheduled or manual sync run


def test_a_member_cannot_remove_a_server(household: Household) -> None:
    member = auth.create_user("Max Member", "max@example.com", PASSWORD)
    for attempt in (removal.preview, removal.remove):
        with pytest.raises(removal.RemovalError):
            attempt(member.id, household.server_id)
    assert removed_at(household.server_id) is None
    assert present(household.server_id) == TOTAL and schedules(household.server_id) == 2


def test_another_admin_cannot_remove_the_owners_server(household: Household) -> None:
    other = auth.create_user("Olga Other", "olga@example.com", PASSWORD, role=Role.ADMIN)
    for attempt in (removal.preview, removal.remove):
        with pytest.raises(removal.RemovalError, match="Only the admin who connected"):
            attempt(other.id, household.server_id)
    assert removed_at(household.server_id) is None and present(household.server_id) == TOTAL


def test_removing_twice_is_refused(household: Household) -> None:
    removal.remove(household.admin.id, household.server_id)
    first = removed_at(household.server_id)
    with pytest.raises(removal.RemovalError, match="not connected"):
        removal.remove(household.admin.id, household.server_id)
    with pytest.raises(removal.RemovalError, match="not connected"):
        removal.preview(household.admin.id, household.server_id)
    assert removed_at(household.server_id) == first


@pytest.mark.usefixtures("fresh_webhook_caches")
def test_webhooks_from_a_removed_server_are_refused(household: Household) -> None:
    h = household
    url = servers.webhook_path(servers.ensure_webhook_secret(h.admin.id))
    payload = webhook_payload(h.sim, "media.play", OWNER_ACCOUNT, movie(h.sim))
    with TestClient(create_api()) as client:
        assert post(client, url, payload).status_code == 200  # accepted, and the owner's servers are now cached
        removal.remove(h.admin.id, h.server_id)
        refused = post(client, url, payload)
    assert refused.status_code == 403 and refused.json() == {"error": "unknown server for this webhook URL"}


def test_a_sync_under_way_stops_at_its_next_page(household: Household) -> None:
    """The admin removes the server while its full sync runs: the page after it is not written, the run says why."""
    h = household
    with get_engine().begin() as conn:  # a library SmartPlex has not seen yet, so every page writes
        conn.execute(sa.delete(MEDIA).where(MEDIA.c.server_id == h.server_id))

    def remove_after_the_first_page(p: SyncProgress) -> None:
        if p.phase == "items" and p.done and removed_at(h.server_id) is None:
            removal.remove(h.admin.id, h.server_id)

    result = sync.run_sync(h.server_id, "full", "manual", remove_after_the_first_page, options=FAST)

    assert (result.status, result.error) == ("cancelled", sync.REMOVED)
    assert rows(h.server_id) == FAST.page_size  # the first page only; the next one rolled back
    assert present(h.server_id) == 0  # and what the first page wrote left with the server


def test_connecting_again_brings_the_server_and_its_items_back(household: Household) -> None:
    h = household
    title = a_movie_title(h.sim)
    removal.remove(h.admin.id, h.server_id)

    again = factories.simulated_server(h.admin.id, h.sim)
    result = sync.run_sync(again, "full", "manual", options=FAST)

    assert again == h.server_id and result.status == "succeeded"
    assert [s.id for s in servers.servers_for_owner(h.admin.id)] == [h.server_id]
    assert present(h.server_id) == TOTAL
    assert search_titles(h.server_id, title) and recommend(h.alice, h.server_id)


def test_a_server_of_another_owner_cannot_be_connected(household: Household) -> None:
    other = auth.create_user("Olga Other", "olga@example.com", PASSWORD, role=Role.ADMIN)
    with pytest.raises(servers.ServerError, match="already connected by another SmartPlex owner"):
        factories.simulated_server(other.id, household.sim)


# --------------------------------------------------------------------------- the admin page and the wizard


def _sub(root: rx.State, cls: type[rx.State]) -> Any:
    return root.get_substate(cls.get_full_name().split(".")[1:])


def _signed_in(user: auth.UserView, cls: type[rx.State], path: str = "/") -> Any:
    root = rx.State()
    _sub(root, AuthState).session_token = auth.login(user.email, PASSWORD, "127.0.0.1")[1]
    state = _sub(root, cls)
    state.router = RouterData.from_router_data({"asPath": path, "headers": {"origin": "http://x"}})
    return state


def _js(spec: Any) -> str:
    return " ".join(str(value) for _, value in spec.args)


@pytest.fixture
def two_servers(household: Household) -> tuple[int, int]:
    cabin = factories.server(household.admin.id, "Cabin")
    scheduler.ensure_default_schedules(cabin)
    return household.server_id, cabin


@pytest.mark.anyio
async def test_admin_page_picks_and_removes_a_server(household: Household, two_servers: tuple[int, int]) -> None:
    home, cabin = two_servers
    page = _signed_in(household.admin, PlexAdminState)

    await PlexAdminState.load.fn(page)
    assert [s.name for s in page.owned] == [household.sim.friendly_name, "Cabin"] and page.has_several
    assert page.server.id == home and {s.server_id for s in page.schedules} == {home} and page.syncs

    await PlexAdminState.pick_server.fn(page, server_id=str(cabin))
    assert page.server.name == "Cabin" and {s.server_id for s in page.schedules} == {cabin} and page.syncs == []
    await PlexAdminState.pick_server.fn(page, server_id="99999")  # not one of theirs: nothing changes
    assert page.server.id == cabin

    await PlexAdminState.ask_removal.fn(page)
    assert page.removal_open
    assert (
        page.removal_sentence
        == "0 titles from Cabin leave recommendations and search; 0 plays stay in people's history."
    )
    await PlexAdminState.pick_server.fn(page, server_id=str(home))  # the confirmation is about Cabin still
    toast = await PlexAdminState.remove_server.fn(page)

    assert "Cabin was removed" in _js(toast) and not page.removal_open
    assert removed_at(cabin) is not None and removed_at(home) is None
    assert [s.id for s in page.owned] == [home] and page.server.id == home and not page.has_several

    await PlexAdminState.ask_removal.fn(page)
    await PlexAdminState.remove_server.fn(page)
    assert page.owned == [] and not page.has_server  # the page's "No Plex server yet"
    assert page.schedules == [] and page.syncs == []


@pytest.mark.anyio
async def test_closing_the_confirmation_removes_nothing(household: Household) -> None:
    page = _signed_in(household.admin, PlexAdminState)
    await PlexAdminState.load.fn(page)
    await PlexAdminState.ask_removal.fn(page)
    await PlexAdminState.set_removal_open.fn(page, is_open=True)  # only ask_removal opens it
    assert page.removal_open
    await PlexAdminState.set_removal_open.fn(page, is_open=False)
    toast = await PlexAdminState.remove_server.fn(page)  # a late click after Cancel
    assert "not connected" in _js(toast) and removed_at(household.server_id) is None


@pytest.mark.anyio
async def test_a_member_is_refused_on_the_admin_page(household: Household) -> None:
    member = auth.create_user("Max Member", "max@example.com", PASSWORD)
    page = _signed_in(member, PlexAdminState)
    page.removal_open = True
    for handler, kwargs in (
        (PlexAdminState.ask_removal, {}),
        (PlexAdminState.remove_server, {}),
        (PlexAdminState.pick_server, {"server_id": str(household.server_id)}),
    ):
        assert REFUSED in _js(await handler.fn(page, **kwargs))
    assert removed_at(household.server_id) is None and page.owned == []


@pytest.mark.anyio
async def test_wizard_in_add_mode_starts_at_the_first_step(household: Household) -> None:
    wizard = _signed_in(household.admin, OnboardingState, "/onboarding")
    await OnboardingState.load.fn(wizard)
    assert (wizard.step, wizard.adding) == (4, False)  # a connected server: the summary

    wizard.router = RouterData.from_router_data({"asPath": "/onboarding?add=1", "headers": {"origin": "http://x"}})
    await OnboardingState.load.fn(wizard)
    assert (wizard.step, wizard.adding, wizard.candidates) == (1, True, [])


@pytest.mark.anyio
async def test_wizard_forgets_the_summary_of_a_removed_server(household: Household) -> None:
    wizard = _signed_in(household.admin, OnboardingState, "/onboarding")
    await OnboardingState.load.fn(wizard)
    assert (wizard.step, wizard.server_name) == (4, household.sim.friendly_name)

    removal.remove(household.admin.id, household.server_id)
    await OnboardingState.load.fn(wizard)  # "Connect Plex" on the emptied Admin → Plex page
    assert wizard.step == 1


@pytest.mark.anyio
async def test_wizard_shows_why_another_owners_server_cannot_be_added(household: Household) -> None:
    other = auth.create_user("Olga Other", "olga@example.com", PASSWORD, role=Role.ADMIN)
    wizard = _signed_in(other, OnboardingState, "/onboarding?add=1")
    wizard.chosen_url, wizard.machine_id, wizard.server_name = household.sim.url, household.sim.machine_identifier, "X"
    wizard._sealed_token = vault.encrypt(household.sim.token)

    assert await OnboardingState.save_and_sync.fn(wizard) is None

    assert wizard.error == "This Plex server is already connected by another SmartPlex owner."
    assert wizard.step == 1 and servers.servers_for_owner(other.id) == []


@pytest.mark.anyio
async def test_a_sync_asked_for_after_removal_ends_with_why(household: Household) -> None:
    """A stale tab's "Sync changes" on a server removed meanwhile: the page says so instead of spinning forever."""
    page = _signed_in(household.admin, PlexAdminState)
    removal.remove(household.admin.id, household.server_id)

    assert await page._run_sync(household.server_id, "incremental", "manual") is None

    assert (page.syncing, page.sync_status) == (False, "failed")
    assert page.sync_error == "This Plex server was removed from SmartPlex."


@pytest.mark.anyio
async def test_an_admin_cannot_change_another_admins_schedules(household: Household) -> None:
    owners = scheduler.list_schedules(household.server_id)
    other = auth.create_user("Olga Other", "olga@example.com", PASSWORD, role=Role.ADMIN)
    page = _signed_in(other, PlexAdminState)
    await PlexAdminState.load.fn(page)
    target = owners[0]

    for handler, kwargs in (
        (PlexAdminState.set_interval, {"schedule_id": target.id, "minutes": "5"}),
        (PlexAdminState.set_enabled, {"schedule_id": target.id, "enabled": not target.enabled}),
        (PlexAdminState.run_schedule_now, {"schedule_id": target.id}),
    ):
        assert "No such schedule" in _js(await handler.fn(page, **kwargs))
    assert scheduler.list_schedules(household.server_id) == owners  # untouched
