"""Sign in with Plex, as the services do it, against the simulated plex.tv and Plex server: who gets in as whom,
who is refused and why, and that the Plex token is used for the check and kept nowhere."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, select

from smartplex.db import get_engine, session
from smartplex.models import Role, User, WatchEvent, utcnow
from smartplex.services import auth
from smartplex.services.plex import accounts
from smartplex.services.plextv import signin
from smartplex.services.plextv.client import PinExpired, PlexTvRateLimited, PlexTvUnavailable
from smartplex.services.plextv.signin import PendingSignIn, SignedIn, SignInRefused
from smartplex.simulators.plex import PlexSimulator
from smartplex.simulators.plextv import PlexTvSimulator, TvAccount
from tests import factories
from tests.plex_fixtures import ANCHOR
from tests.plextv_fixtures import fast_client

FORWARD = "http://smartplex.test/plex-signed-in.html"
ALICE, KIDS = 5129384, 3972737


@pytest.fixture
def household(admin: auth.UserView, plex_sim: PlexSimulator, plextv: PlexTvSimulator) -> int:
    """The admin's connected server, which plex.tv knows and shares with the simulator's accounts."""
    return factories.simulated_server(admin.id, plex_sim)


def sign_in(tv: PlexTvSimulator, account: TvAccount, ip: str = "10.1.0.1") -> SignedIn:
    pending, _page = signin.start(FORWARD, ip)
    assert tv.sign_in(pending.code, account)
    signed = signin.finish(pending, ip)
    assert signed is not None
    return signed


def owner(tv: PlexTvSimulator, plex_sim: PlexSimulator) -> TvAccount:
    return tv.accounts[plex_sim.account(1).plex_id]


def test_a_shared_user_becomes_a_member_with_their_plays(household: int, plextv: PlexTvSimulator) -> None:
    item = factories.item(household, "Heat")
    for day in range(3):
        factories.play(household, None, item, ANCHOR + timedelta(days=day), plex_account_id=ALICE)
    factories.play(household, None, item, ANCHOR, plex_account_id=6620417)  # someone else's

    signed = sign_in(plextv, plextv.accounts[ALICE])

    assert signed.created and signed.user.role == Role.MEMBER and not signed.user.has_password
    assert (signed.user.name, signed.user.email, signed.user.plex_account_id) == ("alice.w", "alice.w@example.com", ALICE)
    assert auth.user_for_session(signed.session_token) == signed.user
    with session() as s:
        owners = {e.plex_account_id: e.user_id for e in s.exec(select(WatchEvent))}
    assert owners == {ALICE: signed.user.id, 6620417: None}

    again = sign_in(plextv, plextv.accounts[ALICE])
    assert (again.user.id, again.created, again.user.login_count) == (signed.user.id, False, 2)


def test_the_owner_signs_in_as_the_admin_who_connected_the_server(
    household: int, admin: auth.UserView, plextv: PlexTvSimulator, plex_sim: PlexSimulator
) -> None:
    signed = sign_in(plextv, owner(plextv, plex_sim))
    assert (signed.user.id, signed.user.role, signed.created) == (admin.id, Role.ADMIN, False)
    assert signed.user.plex_account_id == plex_sim.account(1).plex_id
    assert sign_in(plextv, owner(plextv, plex_sim)).user.id == admin.id  # now by the link


def test_someone_else_owning_the_server_on_plex_tv_is_not_the_admin(
    household: int, plextv: PlexTvSimulator, plex_sim: PlexSimulator
) -> None:
    """plex.tv says this account owns the server, but SmartPlex connected it with the real owner's token."""
    usurper = plextv.add_account("usurper")
    plextv.servers[plex_sim.machine_identifier].owner_id = usurper.id
    with pytest.raises(SignInRefused, match="SmartPlex has that server from another Plex account"):
        sign_in(plextv, usurper)
    with session() as s:
        assert s.exec(select(User).where(User.plex_account_id == usurper.id)).first() is None


def test_an_admin_linked_to_another_account_is_not_taken_over(
    household: int, admin: auth.UserView, plextv: PlexTvSimulator, plex_sim: PlexSimulator
) -> None:
    accounts.link_user(admin.id, 6620417, "bobbytables")
    with pytest.raises(SignInRefused, match="signs in with another Plex account"):
        sign_in(plextv, owner(plextv, plex_sim))


def test_an_account_without_access_is_refused_in_words(household: int, plextv: PlexTvSimulator) -> None:
    mallory = plextv.add_account("mallory", title="Mallory 🕵")
    with pytest.raises(SignInRefused, match="The Plex account Mallory 🕵 has no access to this household's Plex server"):
        sign_in(plextv, mallory)
    with session() as s:
        assert s.exec(select(User).where(User.plex_account_id == mallory.id)).first() is None


def test_access_is_checked_at_every_sign_in(household: int, plextv: PlexTvSimulator, plex_sim: PlexSimulator) -> None:
    sign_in(plextv, plextv.accounts[ALICE])
    plextv.unshare(plex_sim.machine_identifier, plextv.accounts[ALICE])
    with pytest.raises(SignInRefused, match="has no access"):
        sign_in(plextv, plextv.accounts[ALICE])


def test_a_managed_home_user_has_no_email(household: int, plextv: PlexTvSimulator) -> None:
    signed = sign_in(plextv, plextv.accounts[KIDS])
    assert (signed.user.name, signed.user.email, signed.user.plex_account_id) == ("Kids", "", KIDS)


def test_an_email_already_on_smartplex_is_not_taken_over(household: int, plextv: PlexTvSimulator) -> None:
    auth.create_user("Alice", "Alice.W@example.com", "correct horse battery")
    with pytest.raises(SignInRefused, match="already has an account for alice.w@example.com"):
        sign_in(plextv, plextv.accounts[ALICE])
    with session() as s:
        assert s.exec(select(User).where(User.plex_account_id == ALICE)).first() is None


def test_a_switched_off_member_is_refused(household: int, plextv: PlexTvSimulator) -> None:
    member = sign_in(plextv, plextv.accounts[ALICE]).user
    with session() as s:
        row = s.get(User, member.id)
        assert row is not None
        row.is_active = False
    with pytest.raises(SignInRefused, match="switched off"):
        sign_in(plextv, plextv.accounts[ALICE])


def test_waiting_expired_forged_and_replayed_pins(household: int, plextv: PlexTvSimulator) -> None:
    pending, _page = signin.start(FORWARD)
    assert signin.finish(pending) is None  # not signed in at plex.tv yet

    with pytest.raises(PinExpired):  # a PIN id plex.tv never gave us
        signin.finish(PendingSignIn(pending.pin_id + 1000, "forged", pending.expires_at))
    with pytest.raises(PinExpired):  # past its time by our own clock: plex.tv is not even asked
        signin.finish(PendingSignIn(pending.pin_id, pending.code, utcnow() - timedelta(seconds=1)))

    plextv.sign_in(pending.code, plextv.accounts[ALICE])
    assert signin.finish(pending) is not None
    with pytest.raises(SignInRefused, match="already used"):  # the same PIN again
        signin.finish(pending)

    plextv.expire_pins()
    later, _page = signin.start(FORWARD)
    plextv.expire_pins()
    with pytest.raises(PinExpired):
        signin.finish(later)


def test_plex_tv_failures_reach_the_caller(household: int, plextv: PlexTvSimulator) -> None:
    pending, _page = signin.start(FORWARD)
    plextv.faults.status = 429
    with pytest.raises(PlexTvRateLimited):
        signin.finish(pending, client=fast_client(plextv))
    plextv.faults.status = 503
    with pytest.raises(PlexTvUnavailable):
        signin.finish(pending, client=fast_client(plextv))
    plextv.faults.reset()
    plextv.sign_in(pending.code, plextv.accounts[ALICE])
    assert signin.finish(pending) is not None  # the PIN survived the failed polls


def test_starting_needs_a_server_and_is_rate_limited(db_url: str, admin: auth.UserView, plextv: PlexTvSimulator, plex_sim: PlexSimulator) -> None:
    with pytest.raises(SignInRefused, match="No Plex server is connected"):
        signin.start(FORWARD, "10.2.0.1")
    factories.simulated_server(admin.id, plex_sim)
    for _ in range(19):
        signin.start(FORWARD, "10.2.0.1")
    with pytest.raises(auth.AuthError, match=r"Too many Plex sign-ins from your address. Try again in \d+ s"):
        signin.start(FORWARD, "10.2.0.1")
    signin.start(FORWARD, "10.2.0.2")  # another address is not held back


def test_one_account_signing_in_twice_at_once_makes_one_member(household: int, plextv: PlexTvSimulator) -> None:
    pendings = [signin.start(FORWARD)[0] for _ in range(4)]
    for pending in pendings:
        plextv.sign_in(pending.code, plextv.accounts[ALICE])
    results: list[SignedIn | Exception] = []

    def finish(pending: PendingSignIn) -> None:
        try:
            results.append(signin.finish(pending))  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            results.append(exc)

    threads = [threading.Thread(target=finish, args=(p,)) for p in pendings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(r, SignedIn) for r in results), [r for r in results if not isinstance(r, SignedIn)]
    assert len({r.user.id for r in results if isinstance(r, SignedIn)}) == 1
    with session() as s:
        assert len(s.exec(select(User).where(User.plex_account_id == ALICE)).all()) == 1


def test_the_plex_token_is_kept_nowhere(
    household: int, plextv: PlexTvSimulator, plex_sim: PlexSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    sign_in(plextv, plextv.accounts[ALICE])
    sign_in(plextv, owner(plextv, plex_sim))
    with pytest.raises(SignInRefused):
        sign_in(plextv, plextv.add_account("mallory"))

    printed = capsys.readouterr()
    with get_engine().connect() as conn:
        stored = "".join(str(row) for table in SQLModel.metadata.sorted_tables for row in conn.execute(sa.select(table)))
    for account in plextv.accounts.values():
        if account.id != plex_sim.account(1).plex_id:  # the owner's token is the server's, stored encrypted
            assert account.token not in stored
        assert account.token not in printed.out + printed.err
