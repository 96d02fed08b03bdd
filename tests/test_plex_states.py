"""The Plex states on an in-memory state tree, called as a crafted websocket event would call them: the sign-in
flow's error paths, and the Members page's Plex handlers refusing everyone but admins."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import orjson
import pytest
import reflex as rx
from reflex_base.event import Event
from sqlmodel import select

from smartplex.db import session
from smartplex.models import User, WatchEvent
from smartplex.services import auth
from smartplex.services.plex import accounts
from smartplex.simulators.plex import PlexSimulator
from smartplex.simulators.plextv import PlexTvSimulator
from smartplex.state import plex_signin
from smartplex.state.auth import AuthState
from smartplex.state.members import MembersState
from smartplex.state.plex_members import AccountOption, PlexMembersState, ShareRow, describe
from smartplex.state.plex_signin import PlexSignInState
from tests import factories
from tests.plex_fixtures import ANCHOR
from tests.plex_fixtures import SHARED_USER as ALICE

REFUSED = "Only an admin can do that."


def _sub(root: rx.State, cls: type[rx.State]) -> Any:
    return root.get_substate(cls.get_full_name().split(".")[1:])


def _scripts(updates: list[Any]) -> list[str]:
    """The JavaScript the browser was told to run, in order."""
    found = []
    for update in updates:
        for event in Event.from_event_type(update) if update is not None else []:
            if event.name == "_call_script":
                found.append(str(event.payload.get("javascript_code")))
    return found


@pytest.fixture
def fast_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plex_signin, "POLL_SECONDS", 0.01)


@pytest.fixture
def server(admin: auth.UserView, plex_sim: PlexSimulator, plextv: PlexTvSimulator) -> int:
    return factories.simulated_server(admin.id, plex_sim)


async def _run_popup_flow(root: rx.State, approve: Any) -> list[Any]:
    """Drive `begin(opened=True)`; `approve(code)` plays the person on Plex's page once the PIN exists."""
    state = _sub(root, PlexSignInState)
    updates: list[Any] = []
    flow = PlexSignInState.begin.fn(state, opened=True)
    async for update in flow:
        updates.append(update)
        if state._sealed and approve is not None:
            approve(plex_signin._unseal(state._sealed).code)
            approve = None
    return updates


@pytest.mark.anyio
async def test_popup_flow_signs_in_and_keeps_no_token(server: int, plextv: PlexTvSimulator, fast_polls: None) -> None:
    root = rx.State()
    updates = await _run_popup_flow(root, lambda code: plextv.sign_in(code, plextv.accounts[ALICE]))

    signin = _sub(root, PlexSignInState)
    user = auth.user_for_session(_sub(root, AuthState).session_token)
    assert user is not None and user.plex_account_id == ALICE
    scripts = _scripts(updates)
    assert "/auth#?" in scripts[0] and "window.__smartplexPlex.location.href" in scripts[0]
    assert plex_signin.CLOSE_POPUP in scripts
    assert updates[-1] is not None and Event.from_event_type(updates[-1])[0].name == "_redirect"
    assert (signin.status, signin._sealed) == ("idle", "")
    token = plextv.accounts[ALICE].token
    assert token not in orjson.dumps(root.dict(), default=str).decode()
    assert token not in str(root.__dict__) and token not in str(signin.__dict__)


@pytest.mark.anyio
async def test_popup_blocked_offers_this_tab(server: int) -> None:
    state = _sub(rx.State(), PlexSignInState)
    assert [u async for u in PlexSignInState.begin.fn(state, opened=False)] == []
    assert (state.status, state.message, state.offer_this_tab) == ("failed", plex_signin.POPUP_BLOCKED, True)


@pytest.mark.anyio
async def test_a_return_without_a_waiting_sign_in_is_refused(server: int) -> None:
    state = _sub(rx.State(), PlexSignInState)
    [u async for u in PlexSignInState.check_return.fn(state)]
    assert (state.status, state.message) == ("failed", plex_signin.NOT_WAITING)


@pytest.mark.anyio
async def test_tampered_state_reads_as_nothing_waiting(server: int) -> None:
    state = _sub(rx.State(), PlexSignInState)
    state._sealed = "gAAAAA-not-ours"
    [u async for u in PlexSignInState.check_return.fn(state)]
    assert state.message == plex_signin.NOT_WAITING


@pytest.mark.anyio
async def test_closing_the_popup_cancels(server: int, fast_polls: None) -> None:
    root = rx.State()
    state = _sub(root, PlexSignInState)
    updates = []
    async for update in PlexSignInState.begin.fn(state, opened=True):
        updates.append(update)
        PlexSignInState.note_popup.fn(state, closed=True)  # the browser's answer: the window is closed
    assert (state.status, state.message) == ("failed", plex_signin.CANCELLED)
    assert _sub(root, AuthState).session_token == ""


@pytest.mark.anyio
async def test_a_tab_that_went_away_stops_the_polling(
    server: int, plextv: PlexTvSimulator, fast_polls: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No answer about the popup for a while: the browser is gone, so plex.tv is not asked for ten minutes."""
    monkeypatch.setattr(plex_signin, "BROWSER_GONE", 0.2)
    root = rx.State()
    await _run_popup_flow(root, None)  # nobody answers note_popup
    state = _sub(root, PlexSignInState)
    assert (state.status, state._sealed) == ("failed", "")
    assert len([r for r in plextv.requests if r.path.startswith("/api/v2/pins/")]) < 100


@pytest.mark.anyio
async def test_a_forged_opened_flag_is_not_a_popup(server: int) -> None:
    state = _sub(rx.State(), PlexSignInState)
    for forged in ("false", "yes", 1, None):
        assert [u async for u in PlexSignInState.begin.fn(state, opened=forged)] == []
        assert state.message == plex_signin.POPUP_BLOCKED


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ({"status": 503}, "plex.tv is failing (HTTP 503). Plex sign-in is unavailable for now"),
        ({"status": 429, "retry_after": 120}, "plex.tv is limiting sign-ins right now. Try again in 120 s."),
        ({"maintenance_page": True}, "plex.tv sent a web page instead of data"),
    ],
)
async def test_plex_tv_failing_at_the_start(server: int, plextv: PlexTvSimulator, fault: dict, message: str) -> None:
    for name, value in fault.items():
        setattr(plextv.faults, name, value)
    root = rx.State()
    updates = await _run_popup_flow(root, None)
    state = _sub(root, PlexSignInState)
    assert state.status == "failed" and state.message.startswith(message)
    assert _scripts(updates) == [plex_signin.CLOSE_POPUP]


@pytest.mark.anyio
async def test_plex_tv_failing_while_waiting_is_tolerated_then_reported(
    server: int, plextv: PlexTvSimulator, fast_polls: None
) -> None:
    def break_plex_tv(code: str) -> None:
        plextv.faults.status = 502

    root = rx.State()
    await _run_popup_flow(root, break_plex_tv)
    state = _sub(root, PlexSignInState)
    assert state.message.startswith("plex.tv is failing (HTTP 502).")
    assert len([r for r in plextv.requests if r.path.startswith("/api/v2/pins/")]) >= plex_signin.FAILURES_TOLERATED


@pytest.mark.anyio
async def test_an_expired_pin(server: int, plextv: PlexTvSimulator, fast_polls: None) -> None:
    root = rx.State()
    await _run_popup_flow(root, lambda code: plextv.expire_pins())
    assert _sub(root, PlexSignInState).message == plex_signin.EXPIRED


@pytest.mark.anyio
async def test_an_account_without_access(server: int, plextv: PlexTvSimulator, fast_polls: None) -> None:
    mallory = plextv.add_account("mallory")
    root = rx.State()
    await _run_popup_flow(root, lambda code: plextv.sign_in(code, mallory))
    assert "has no access to this household's Plex server" in _sub(root, PlexSignInState).message
    assert _sub(root, AuthState).session_token == ""


@pytest.mark.anyio
async def test_cancel_stops_the_wait(server: int, plextv: PlexTvSimulator, fast_polls: None) -> None:
    root = rx.State()
    state = _sub(root, PlexSignInState)
    updates = []
    async for update in PlexSignInState.begin.fn(state, opened=True):
        updates.append(update)
        if len(updates) == 2:
            PlexSignInState.cancel.fn(state)
            plextv.sign_in(plextv.pins[max(plextv.pins)].code, plextv.accounts[ALICE])  # too late: nobody waits
    assert (state.status, state._sealed) == ("idle", "")
    assert _sub(root, AuthState).session_token == ""


# --------------------------------------------------------------------------- the Members page


def _admin_root(token: str) -> rx.State:
    root = rx.State()
    _sub(root, AuthState).session_token = token
    return root


@pytest.mark.anyio
@pytest.mark.parametrize("caller", ["member", "anonymous"])
async def test_members_cannot_import_or_relink(
    caller: str, server: int, member: auth.UserView, member_session: str, plextv: PlexTvSimulator
) -> None:
    root = _admin_root(member_session if caller == "member" else "")
    state = _sub(root, PlexMembersState)
    state.selected = [ALICE]
    state.server_id = server
    state.link_user_id, state.link_choice, state.link_current = member.id, str(ALICE), "none"
    results = [
        await PlexMembersState.import_selected.fn(state),
        await PlexMembersState.choose_link.fn(state, choice=str(ALICE)),
        *[u async for u in PlexMembersState.confirm_link.fn(state)],
        await PlexMembersState.open_import.fn(state),
        await PlexMembersState.open_link.fn(state, user_id=member.id),
    ]
    assert all(r is None or REFUSED in str(r) for r in results)
    assert (state.rows, state.preview, state.import_open) == ([], [], False)
    with session() as s:
        assert s.exec(select(User).where(User.plex_account_id == ALICE)).first() is None


@pytest.mark.anyio
async def test_admin_previews_and_moves_plays(admin: auth.UserView, admin_session: str, server: int) -> None:
    sam, alex = factories.person("Sam"), factories.person("Alex")
    accounts.link_user(sam, ALICE, "alice.w")
    item = factories.item(server, "Heat")
    for day in range(3):
        factories.play(server, sam, item, ANCHOR + timedelta(days=day), plex_account_id=ALICE)
    root = _admin_root(admin_session)
    await MembersState.load.fn(_sub(root, MembersState))
    state = _sub(root, PlexMembersState)
    await PlexMembersState.open_link.fn(state, user_id=alex)
    assert any(o.value == str(ALICE) and "(now Sam)" in o.label for o in state.options)

    await PlexMembersState.choose_link.fn(state, choice=str(ALICE))
    assert state.preview == ["3 plays will move from Sam to Alex."] and state.can_confirm
    result = [u async for u in PlexMembersState.confirm_link.fn(state)]
    assert "Linked to Alex: 3 plays moved." in str(result[-1]) and not state.moving
    with session() as s:
        assert set(s.exec(select(WatchEvent.user_id)).all()) == {alex}

    for forged in ("1", "abc", "-5", str(10**30)):  # not among the choices offered (the owner account is never)
        await PlexMembersState.choose_link.fn(state, choice=forged)
        assert state.link_error == "Choose a Plex account from the list." and not state.can_confirm
    state.options = [*state.options, AccountOption("1", "forged into the list")]
    await PlexMembersState.choose_link.fn(state, choice="1")  # even then the service refuses, in words
    assert "owner account" in state.link_error and not state.can_confirm


def test_ticking_ignores_what_was_not_listed() -> None:
    state = _sub(rx.State(), PlexMembersState)
    state.rows = [share_row_for(ALICE)]
    for forged in ("abc", None, -1, 999, {"x": 1}):
        PlexMembersState.toggle.fn(state, plex_account_id=forged, checked=True)
    PlexMembersState.toggle.fn(state, plex_account_id=ALICE, checked=True)
    PlexMembersState.toggle.fn(state, plex_account_id=str(ALICE), checked=True)
    assert state.selected == [ALICE]
    PlexMembersState.toggle.fn(state, plex_account_id=ALICE, checked="yes")  # only a real true ticks
    assert state.selected == []


def share_row_for(account: int) -> ShareRow:
    return ShareRow(account, "alice.w", "", 0, "new", "New member", True)


def test_preview_sentences() -> None:
    from smartplex.services.plex.accounts import LinkPreview, Move

    preview = LinkPreview(5, [Move(312, "Sam", "Alex"), Move(1, None, "Alex")], Move(4, "Alex", None))
    assert describe(preview) == [
        "312 plays will move from Sam to Alex.",
        "1 play not counted for anyone yet will go to Alex.",
        "Alex's current Plex account is unlinked: 4 plays will move from Alex to no one.",
    ]
    assert describe(LinkPreview(5, [], None)) == ["No plays will move."]
