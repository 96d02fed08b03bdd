"""Import from Plex: the owner's shared users (plex.tv) and the server's accounts, who is already a member, and the
chosen ones made members linked to their accounts, each with their plays and an invite link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from smartplex.db import session
from smartplex.models import Invite, Role, User, WatchEvent
from smartplex.services import auth, invites
from smartplex.services.plex import accounts, shares
from smartplex.services.plex.shares import ShareError
from smartplex.simulators.plex import PlexSimulator
from smartplex.simulators.plextv import PlexTvSimulator
from tests import factories
from tests.conftest import PASSWORD
from tests.plex_fixtures import ANCHOR, dead_url
from tests.plex_fixtures import SHARED_USER as ALICE

KIDS, BOBBY, CARMEN, DIMITRI = 3972737, 6620417, 8801245, 2249013


@pytest.fixture
def server_id(admin: auth.UserView, plex_sim: PlexSimulator, plextv: PlexTvSimulator) -> int:
    return factories.simulated_server(admin.id, plex_sim)


def by_id(listed: shares.Shares) -> dict[int, shares.Candidate]:
    return {c.plex_account_id: c for c in listed.candidates}


def test_listing_shows_every_shared_user_and_who_they_are_here(
    admin: auth.UserView, server_id: int, plextv: PlexTvSimulator
) -> None:
    bob = factories.person("Bobby", BOBBY)
    carmen = auth.create_user("Carmen S", "carmen.s@example.com", PASSWORD)  # same email as on plex.tv
    dimitri = factories.person("Dimitri")
    with session() as s:
        s.get(User, dimitri).plex_username = "Dimitri_K"  # type: ignore[union-attr]
    item = factories.item(server_id, "Heat")
    for day in range(4):
        factories.play(server_id, None, item, ANCHOR + timedelta(days=day), plex_account_id=ALICE)
    stranger = plextv.add_account("stranger")  # the owner's friend on another server only
    plextv.add_server("another-machine", "Cabin", plextv.accounts[max(plextv.accounts)])
    plextv.share("another-machine", stranger)

    listed = shares.list_shares(admin.id, server_id)
    found = by_id(listed)
    assert listed.warnings == [] and listed.server_name == "SmartPlex Sim"
    assert set(found) == {ALICE, KIDS, BOBBY, CARMEN, DIMITRI}  # not the owner, not the stranger
    alice = found[ALICE]
    assert (alice.name, alice.email, alice.shared, alice.on_server, alice.plays) == (
        "alice.w", "alice.w@example.com", True, True, 4
    )  # fmt: skip
    assert (alice.member_id, alice.match_id) == (None, None)
    assert (found[BOBBY].member_id, found[BOBBY].member_name) == (bob, "Bobby")
    assert (found[CARMEN].match_id, found[CARMEN].match_reason) == (carmen.id, "email")
    assert (found[DIMITRI].match_id, found[DIMITRI].match_reason) == (dimitri, "username")
    assert found[KIDS].home and found[KIDS].email == ""
    assert [c.member_id is not None for c in listed.candidates][-1]  # members listed last


def test_import_makes_linked_members_with_their_plays_and_invites(
    admin: auth.UserView, server_id: int, plextv: PlexTvSimulator
) -> None:
    item = factories.item(server_id, "Heat")
    for day in range(3):
        factories.play(server_id, None, item, ANCHOR + timedelta(days=day), plex_account_id=ALICE)
    carmen = auth.create_user("Carmen S", "carmen.s@example.com", PASSWORD)

    result = shares.import_members(admin.id, server_id, [ALICE, KIDS, CARMEN, ALICE, 424242])

    assert [(i.name, i.linked_existing, i.plays) for i in result.imported] == [
        ("alice.w", False, 3), ("Kids", False, 0), ("Carmen S", True, 0)
    ]  # fmt: skip
    assert result.skipped == [("Plex account #424242", "not a shared user of SmartPlex Sim")]
    alice, kids, linked_carmen = result.imported
    assert linked_carmen.user_id == carmen.id and linked_carmen.invite_token is None  # she has a password
    with session() as s:
        made = {u.plex_account_id: u for u in s.exec(select(User).where(User.plex_account_id.is_not(None)))}  # type: ignore[union-attr]
        assert s.exec(select(WatchEvent.user_id).where(WatchEvent.plex_account_id == ALICE)).all() == [alice.user_id] * 3
        assert len(s.exec(select(Invite)).all()) == 2
    assert (made[ALICE].email, made[ALICE].role, made[ALICE].password_hash) == ("alice.w@example.com", Role.MEMBER, None)
    assert made[KIDS].email is None and made[CARMEN].id == carmen.id

    invite = invites.peek(alice.invite_token)
    assert (invite.for_member, invite.name, invite.email) == (True, "alice.w", "alice.w@example.com")
    again = shares.import_members(admin.id, server_id, [ALICE])
    assert again.imported == [] and again.skipped == [("alice.w", "already a member (alice.w)")]


def test_an_imported_member_sets_their_own_email_and_password(
    admin: auth.UserView, server_id: int, plextv: PlexTvSimulator
) -> None:
    kids = shares.import_members(admin.id, server_id, [KIDS]).imported[0]
    with pytest.raises(auth.ValidationError, match="already exists"):
        invites.accept(kids.invite_token, "Kids", admin.email, PASSWORD, PASSWORD)
    user, _token = invites.accept(kids.invite_token, "The Kids", "kids@example.com", PASSWORD, PASSWORD)
    assert (user.id, user.name, user.email, user.plex_account_id, user.has_password) == (
        kids.user_id, "The Kids", "kids@example.com", KIDS, True
    )  # fmt: skip
    assert auth.login("kids@example.com", PASSWORD)[0].id == kids.user_id
    with pytest.raises(auth.AuthError, match="already been used"):
        invites.accept(kids.invite_token, "Again", "again@example.com", PASSWORD, PASSWORD)


def test_a_member_without_a_password_cannot_sign_in_with_one(
    admin: auth.UserView, server_id: int, plextv: PlexTvSimulator
) -> None:
    alice = shares.import_members(admin.id, server_id, [ALICE]).imported[0]
    for guess in ("", "None", "!", PASSWORD):
        with pytest.raises((auth.AuthError, auth.ValidationError)):
            auth.login("alice.w@example.com", guess)
    assert alice.invite_token


def test_an_email_taken_by_someone_linked_elsewhere_is_left_empty(
    admin: auth.UserView, server_id: int, plextv: PlexTvSimulator
) -> None:
    other = factories.person("Other", 9999)
    with session() as s:
        s.get(User, other).email = "alice.w@example.com"  # type: ignore[union-attr]
    alice = shares.import_members(admin.id, server_id, [ALICE]).imported[0]
    with session() as s:
        assert s.get(User, alice.user_id).email is None  # type: ignore[union-attr]


def test_one_source_down_lists_the_other_with_a_warning(
    admin: auth.UserView, server_id: int, plextv: PlexTvSimulator, plex_sim: PlexSimulator
) -> None:
    plextv.faults.status = 503
    listed = shares.list_shares(admin.id, server_id)
    assert listed.warnings == ["Shared users from plex.tv are missing: plex.tv is failing (HTTP 503)."]
    assert {c.plex_account_id for c in listed.candidates} == {ALICE, KIDS, BOBBY, CARMEN, DIMITRI}
    assert not any(c.shared for c in listed.candidates)

    plextv.faults.reset()
    plextv.faults.status = 429
    assert "limiting requests" in shares.list_shares(admin.id, server_id).warnings[0]

    plextv.faults.reset()
    plex_sim.faults.status = 500
    listed = shares.list_shares(admin.id, server_id)
    assert listed.warnings[0].startswith("The accounts SmartPlex Sim lists are missing: Plex failed: HTTP 500")
    assert all(c.shared and not c.on_server for c in listed.candidates)

    plextv.faults.maintenance_page = True
    with pytest.raises(ShareError, match="web page instead of the list.*HTTP 500"):
        shares.list_shares(admin.id, server_id)


def test_plex_tv_refusing_the_servers_token(admin: auth.UserView, plex_sim: PlexSimulator, plextv: PlexTvSimulator) -> None:
    server_id = factories.simulated_server(admin.id, plex_sim, urls=[dead_url()])
    plextv.accounts[plex_sim.account(1).plex_id].token = "rotated"
    with pytest.raises(ShareError, match="did not accept the token this server was connected with"):
        shares.list_shares(admin.id, server_id)


def test_only_admins_list_and_import(admin: auth.UserView, member: auth.UserView, server_id: int) -> None:
    with pytest.raises(auth.AuthError):
        shares.list_shares(member.id, server_id)
    with pytest.raises(auth.AuthError):
        shares.import_members(member.id, server_id, [ALICE])
    with pytest.raises(ShareError, match="not connected"):
        shares.list_shares(admin.id, 999)
    with session() as s:
        assert s.exec(select(User).where(User.plex_account_id == ALICE)).first() is None


def test_the_owner_linked_to_their_plex_account_is_not_listed(
    admin: auth.UserView, server_id: int, plextv: PlexTvSimulator
) -> None:
    accounts.link_user(admin.id, ALICE, "alice.w")  # the admin happens to be alice on plex.tv
    assert ALICE not in by_id(shares.list_shares(admin.id, server_id))
