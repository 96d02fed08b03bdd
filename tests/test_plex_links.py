"""Linking, relinking and unlinking a Plex account moves its watch events with it, in one transaction, and the
preview says beforehand how many plays move from whom."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from smartplex.db import get_engine, session
from smartplex.models import User, WatchEvent
from smartplex.services import auth
from smartplex.services.dashboard.history import history
from smartplex.services.plex import accounts
from smartplex.services.plex.accounts import LinkError, Move
from tests import factories
from tests.plex_fixtures import ANCHOR

SAM_ACCOUNT, OTHER_ACCOUNT = 7001, 7002


@pytest.fixture
def server_id(admin: auth.UserView) -> int:
    return factories.server(admin.id)


def plays_of(server_id: int, account: int, days: int, *, user_id: int | None = None) -> None:
    """`days` plays of one account: each an evening of play, pause, resume and scrobble of one item, and a rating."""
    for day in range(days):
        item = factories.item(server_id, f"Film {account}-{day}")
        when = ANCHOR + timedelta(days=day)
        for minutes, event in ((0, "play"), (30, "pause"), (35, "resume"), (90, "scrobble")):
            factories.play(server_id, user_id, item, when + timedelta(minutes=minutes), event, plex_account_id=account)
        factories.play(server_id, user_id, item, when + timedelta(hours=3), "rate", plex_account_id=account)


def holders(account: int) -> set[int | None]:
    with session() as s:
        return set(s.exec(select(WatchEvent.user_id).where(WatchEvent.plex_account_id == account)).all())


def test_relinking_moves_the_plays_from_sam_to_alex(admin: auth.UserView, server_id: int) -> None:
    sam = factories.person("Sam")
    alex = factories.person("Alex")
    accounts.link_user(sam, SAM_ACCOUNT, "sam.plex")
    plays_of(server_id, SAM_ACCOUNT, 12, user_id=sam)
    plays_of(server_id, SAM_ACCOUNT, 3)  # written without a person (as an old webhook would have)

    preview = accounts.preview_link(admin.id, SAM_ACCOUNT, alex)
    assert preview.moves == [Move(12, "Sam", "Alex"), Move(3, None, "Alex")]
    assert preview.plays == 15 and preview.released is None

    assert accounts.relink(admin.id, SAM_ACCOUNT, alex, "sam.plex") == 15
    assert holders(SAM_ACCOUNT) == {alex}
    assert history(sam, server_id).total == 0
    assert history(alex, server_id).total == 15
    with session() as s:
        linked = {u.name: (u.plex_account_id, u.plex_username) for u in s.exec(select(User))}
    assert linked["Sam"] == (None, None) and linked["Alex"] == (SAM_ACCOUNT, "sam.plex")
    assert accounts.preview_link(admin.id, SAM_ACCOUNT, alex).moves == []  # nothing left to move


def test_plays_attributed_to_nobody_yet_go_to_the_new_member(admin: auth.UserView, server_id: int) -> None:
    alex = factories.person("Alex")
    plays_of(server_id, SAM_ACCOUNT, 4)
    assert accounts.preview_link(admin.id, SAM_ACCOUNT, alex).moves == [Move(4, None, "Alex")]
    assert accounts.relink(admin.id, SAM_ACCOUNT, alex, "sam.plex") == 4
    assert holders(SAM_ACCOUNT) == {alex}


def test_unlinking_moves_the_plays_to_nobody(admin: auth.UserView, server_id: int) -> None:
    sam = factories.person("Sam")
    accounts.link_user(sam, SAM_ACCOUNT, "sam.plex")
    plays_of(server_id, SAM_ACCOUNT, 5, user_id=sam)
    assert accounts.preview_link(admin.id, SAM_ACCOUNT, None).moves == [Move(5, "Sam", None)]
    assert accounts.relink(admin.id, SAM_ACCOUNT, None, "") == 5
    assert holders(SAM_ACCOUNT) == {None}
    with session() as s:
        assert s.exec(select(User.plex_account_id).where(User.id == sam)).one() is None


def test_the_new_holders_previous_account_is_released(admin: auth.UserView, server_id: int) -> None:
    alex = factories.person("Alex")
    accounts.link_user(alex, OTHER_ACCOUNT, "alex.old")
    plays_of(server_id, OTHER_ACCOUNT, 2, user_id=alex)
    plays_of(server_id, SAM_ACCOUNT, 3)

    preview = accounts.preview_link(admin.id, SAM_ACCOUNT, alex)
    assert preview.moves == [Move(3, None, "Alex")] and preview.released == Move(2, "Alex", None)
    assert accounts.relink(admin.id, SAM_ACCOUNT, alex, "sam.plex") == 5
    assert holders(OTHER_ACCOUNT) == {None} and holders(SAM_ACCOUNT) == {alex}


def test_a_failure_midway_changes_nothing(admin: auth.UserView, server_id: int) -> None:
    """The link and the moved events are one transaction: when moving the events fails, the link stays as it was."""
    sam, alex = factories.person("Sam"), factories.person("Alex")
    accounts.link_user(sam, SAM_ACCOUNT, "sam.plex")
    plays_of(server_id, SAM_ACCOUNT, 3, user_id=sam)
    with refusing_updates_to(alex), pytest.raises(Exception, match="refused by the test"):
        accounts.relink(admin.id, SAM_ACCOUNT, alex, "sam.plex")
    assert holders(SAM_ACCOUNT) == {sam}
    with session() as s:
        assert s.exec(select(User.id).where(User.plex_account_id == SAM_ACCOUNT)).all() == [sam]


def test_the_owner_account_and_nonsense_accounts_cannot_be_linked(admin: auth.UserView, server_id: int) -> None:
    alex = factories.person("Alex")
    for account in (1, 0, -5):
        with pytest.raises(LinkError):
            accounts.preview_link(admin.id, account, alex)
        with pytest.raises(LinkError):
            accounts.relink(admin.id, account, alex, "x")
    with pytest.raises(LinkError, match="not on SmartPlex any more"):
        accounts.relink(admin.id, SAM_ACCOUNT, 99999, "x")


def test_members_cannot_link(admin: auth.UserView, member: auth.UserView, server_id: int) -> None:
    plays_of(server_id, SAM_ACCOUNT, 1)
    with pytest.raises(auth.AuthError):
        accounts.preview_link(member.id, SAM_ACCOUNT, member.id)
    with pytest.raises(auth.AuthError):
        accounts.relink(member.id, SAM_ACCOUNT, member.id, "me")
    assert holders(SAM_ACCOUNT) == {None}


def test_one_plex_account_is_never_linked_to_two_people(admin: auth.UserView, server_id: int) -> None:
    sam, alex = factories.person("Sam", SAM_ACCOUNT), factories.person("Alex")
    with pytest.raises(IntegrityError), session() as s:  # the database itself refuses a second link
        row = s.get(User, alex)
        assert row is not None
        row.plex_account_id = SAM_ACCOUNT
    with pytest.raises(LinkError), session() as s:  # and a member made for a linked account
        accounts.add_member(s, SAM_ACCOUNT, "Sam again", "sam", None)
    accounts.link_user(alex, SAM_ACCOUNT, "sam.plex")  # an explicit link moves the account instead
    with session() as s:
        assert s.exec(select(User.id).where(User.plex_account_id == SAM_ACCOUNT)).all() == [alex]
        assert s.get(User, sam).plex_account_id is None  # type: ignore[union-attr]


class refusing_updates_to:
    """A database trigger that fails any watch event update giving the event to `user_id`."""

    def __init__(self, user_id: int) -> None:
        self.user_id = user_id

    def __enter__(self) -> None:
        with get_engine().begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text(
                    "CREATE OR REPLACE FUNCTION test_refuse() RETURNS trigger AS $$ BEGIN "
                    f"IF NEW.user_id = {self.user_id} THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; "
                    "END $$ LANGUAGE plpgsql"
                ))  # fmt: skip
                conn.execute(sa.text(
                    "CREATE TRIGGER test_refuse BEFORE UPDATE ON watch_event FOR EACH ROW EXECUTE FUNCTION test_refuse()"
                ))  # fmt: skip
            else:
                conn.execute(sa.text(
                    f"CREATE TRIGGER test_refuse BEFORE UPDATE ON watch_event WHEN NEW.user_id = {self.user_id} "
                    "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                ))  # fmt: skip

    def __exit__(self, *exc: object) -> None:
        with get_engine().begin() as conn:
            conn.execute(sa.text("DROP TRIGGER IF EXISTS test_refuse" + (" ON watch_event" if conn.dialect.name == "postgresql" else "")))
