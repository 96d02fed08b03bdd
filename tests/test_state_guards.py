"""Reflex handlers check the caller on the server: a member or anonymous client that sends an admin
event directly (a crafted websocket message) is refused and nothing changes.

Handlers run on an in-memory state tree (direct construction is allowed under pytest), through
`EventHandler.fn` with keyword arguments, as Reflex's event processor calls them.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from reflex_base.event import Event
from sqlmodel import select

from smartplex.db import session
from smartplex.models import Invite, Role, User
from smartplex.services import auth, invites
from smartplex.state.auth import AuthState
from smartplex.state.members import MembersState
from smartplex.state.signin import JoinState, LoginState, SetupState, safe_next
from tests.conftest import PASSWORD

REFUSED = '["error"]("Only an admin can do that.")'
GUARDED = ("load", "create_invite", "revoke_invite", "set_role")


def _sub(root: rx.State, cls: type[rx.State]) -> Any:
    return root.get_substate(cls.get_full_name().split(".")[1:])


def _signed_in(token: str) -> rx.State:
    root = rx.State()
    _sub(root, AuthState).session_token = token
    return root


def _js(spec: Any) -> str:
    """The JavaScript an EventSpec runs in the browser (for toasts, it holds level and message)."""
    return " ".join(str(value) for _, value in spec.args)


def _snapshot() -> tuple[list[tuple[int, str]], list[tuple[int, bool]]]:
    with session() as s:
        users = [(u.id, u.role) for u in s.exec(select(User).order_by(User.id))]
        invites = [(i.id, i.used_at is not None) for i in s.exec(select(Invite).order_by(Invite.id))]
    return users, invites


async def _drain(updates: Any) -> list[Any]:
    return [u async for u in updates]


def _events(spec: Any) -> list[tuple[str, dict[str, Any]]]:
    """What the browser receives for a returned or yielded spec: event names and payloads."""
    return [(e.name, e.payload) for e in Event.from_event_type(spec)]


def test_guard_hides_actor_from_reflex() -> None:
    for name in GUARDED:
        params = list(inspect.signature(getattr(MembersState, name).fn).parameters)
        assert params[0] == "self" and "actor" not in params, (name, params)
    # The browser-side call binds its arguments by these names.
    assert [arg[0]._js_expr for arg in MembersState.set_role(1, "admin").args] == ["user_id", "role"]


@pytest.mark.anyio
@pytest.mark.parametrize("caller", ["member", "anonymous"])
@pytest.mark.parametrize("handler", GUARDED)
async def test_non_admin_is_refused_and_nothing_changes(
    handler: str, caller: str, admin: auth.UserView, member: auth.UserView, member_session: str
) -> None:
    invites.create(admin.id)
    invite_id = invites.recent(admin.id)[0].id
    kwargs = {
        "load": {},
        "create_invite": {"form": {"name": "Eve", "email": "eve@example.com"}},
        "revoke_invite": {"invite_id": invite_id},
        "set_role": {"user_id": member.id, "role": Role.ADMIN},  # self-promotion
    }[handler]
    members = _sub(_signed_in(member_session if caller == "member" else ""), MembersState)
    before = _snapshot()

    result = await getattr(MembersState, handler).fn(members, **kwargs)

    assert result is not None and REFUSED in _js(result)
    assert _snapshot() == before
    assert (members.users, members.invites, members.invite_link) == ([], [], "")


@pytest.mark.anyio
async def test_admin_handlers_work(admin: auth.UserView, member: auth.UserView, admin_session: str) -> None:
    members = _sub(_signed_in(admin_session), MembersState)

    assert await MembersState.load.fn(members) is None
    assert [(u.email, u.is_me) for u in members.users] == [(admin.email, True), (member.email, False)]
    assert all("password_hash" not in dataclasses.asdict(u) for u in members.users)

    result = await MembersState.create_invite.fn(members, form={"name": "Eve", "email": ""})
    assert "Invite link created" in _js(result)
    token = members.invite_link.split("/join?invite=", 1)[1]
    assert invites.peek(token).name == "Eve"
    assert len(members.invites) == 1

    await MembersState.revoke_invite.fn(members, invite_id=members.invites[0].id)
    assert members.invites == [] and _snapshot()[1] == []

    result = await MembersState.set_role.fn(members, user_id=member.id, role=Role.ADMIN)
    assert "Role updated." in _js(result)
    assert _snapshot()[0] == [(admin.id, Role.ADMIN), (member.id, Role.ADMIN)]


@pytest.mark.anyio
async def test_admin_demoted_after_sign_in_is_refused(admin: auth.UserView, admin_session: str) -> None:
    other = auth.create_user("Second Admin", "second@example.com", PASSWORD, role=Role.ADMIN)
    auth.set_role(other.id, admin.id, Role.MEMBER)
    members = _sub(_signed_in(admin_session), MembersState)
    result = await MembersState.set_role.fn(members, user_id=admin.id, role=Role.ADMIN)
    assert REFUSED in _js(result)
    assert _snapshot()[0] == [(admin.id, Role.MEMBER), (other.id, Role.ADMIN)]


@pytest.mark.anyio
async def test_admin_page_sends_member_home(member_session: str) -> None:
    auth_state = _sub(_signed_in(member_session), AuthState)
    result = await AuthState.require_admin.fn(auth_state)
    assert isinstance(result, list) and "That page is for admins only." in _js(result[1])
    assert auth_state.user_role == Role.MEMBER


@pytest.mark.anyio
async def test_setup_refused_once_an_admin_exists(admin: auth.UserView) -> None:
    root = rx.State()
    setup = _sub(root, SetupState)
    form = {"name": "Mallory", "email": "mallory@example.com", "password": PASSWORD, "confirm": PASSWORD}
    updates = await _drain(SetupState.submit.fn(setup, form=form))
    assert setup.form_error == "SmartPlex already has an admin. Sign in instead."
    assert updates == [None] and not setup.busy
    assert _sub(root, AuthState).session_token == ""
    assert _snapshot()[0] == [(admin.id, Role.ADMIN)]


@pytest.mark.anyio
async def test_setup_creates_admin_and_signs_in(db_url: str) -> None:
    root = rx.State()
    setup = _sub(root, SetupState)
    form = {"name": "Ada", "email": "ada@example.com", "password": PASSWORD, "confirm": PASSWORD}
    updates = await _drain(SetupState.submit.fn(setup, form=form))
    assert (setup.form_error, setup.errors) == ("", {})
    user = auth.user_for_session(_sub(root, AuthState).session_token)
    assert user is not None and user.is_admin
    assert _events(updates[-1]) == [("_redirect", {"path": "/", "external": False, "popup": False, "replace": True})]


@pytest.mark.anyio
async def test_login_wrong_password(admin: auth.UserView) -> None:
    root = rx.State()
    login = _sub(root, LoginState)
    await _drain(LoginState.submit.fn(login, form={"email": admin.email, "password": "not the password"}))
    assert (login.form_error, login.errors, login.busy) == (auth.BAD_LOGIN, {}, False)
    assert _sub(root, AuthState).session_token == ""


@pytest.mark.anyio
async def test_login_empty_form_shows_field_errors(admin: auth.UserView) -> None:
    login = _sub(rx.State(), LoginState)
    await _drain(LoginState.submit.fn(login, form={}))
    assert login.form_error == ""
    assert login.errors == {"email": "Enter your email address.", "password": "Enter your password."}


@pytest.mark.anyio
async def test_login_signs_in(admin: auth.UserView) -> None:
    root = rx.State()
    login = _sub(root, LoginState)
    updates = await _drain(LoginState.submit.fn(login, form={"email": admin.email, "password": PASSWORD}))
    assert auth.user_for_session(_sub(root, AuthState).session_token).id == admin.id
    assert _sub(root, AuthState).user_id == admin.id
    assert _events(updates[-1]) == [("_redirect", {"path": "/", "external": False, "popup": False, "replace": True})]


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/admin/members", "/admin/members"),
        ("/admin/members?tab=invites", "/admin/members?tab=invites"),
        ("//evil.com", "/"),
        ("//evil.com/admin", "/"),
        ("https://evil.com", "/"),
        ("/\\evil.com", "/"),
        ("/admin\\..\\evil", "/"),
        ("javascript:alert(1)", "/"),
        ("admin", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_safe_next(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected



@pytest.mark.anyio
async def test_an_invite_spent_while_the_form_was_open_closes_the_form(admin: auth.UserView) -> None:
    """The invite is used up between loading the form and sending it: the form goes, with the reason."""
    token = invites.create(admin.id)
    root = rx.State()
    join = _sub(root, JoinState)
    join.router = RouterData.from_router_data({"asPath": f"/join?invite={token}", "headers": {"origin": "http://x"}})
    await JoinState.load.fn(join)
    assert join.invite_ok
    invites.accept(token, "Quick Friend", "quick@example.com", PASSWORD, PASSWORD)
    form = {"name": "Slow Friend", "email": "slow@example.com", "password": PASSWORD, "confirm": PASSWORD}
    await _drain(JoinState.submit.fn(join, form=form))
    assert (join.invite_ok, join.form_error, join.busy) == (False, "This invite link has already been used.", False)
    assert auth.user_by_email("slow@example.com") is None
