"""The notification centre's rows: writing (switches, dedupe keys, links), reading newest first and paged, marking
read, announcements, and the kinds request news now carries."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from smartplex.db import get_engine, write_transaction
from smartplex.services import auth, notifications
from smartplex.services.notifications import centre, kinds, switches
from smartplex.services.notifications.centre import AnnouncementError, ItemRef
from smartplex.services.requests import tracking
from tests import factories


def count(table: str, where: str = "1=1") -> int:
    with get_engine().connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE {where}")).scalar_one()


def test_a_notification_is_written_listed_newest_first_and_marked_read(member: auth.UserView) -> None:
    first = notifications.notify(member.id, kinds.ANNOUNCEMENT, "Movie night", "Friday 8 pm")
    second = notifications.notify(member.id, kinds.REQUEST_AVAILABLE, "Dune is available", link="/requests#request-1")
    assert notifications.marker(member.id) == notifications.Marker(second, 2)
    assert [n.title for n in notifications.recent(member.id)] == ["Dune is available", "Movie night"]
    assert notifications.mark(member.id, second) == "/requests#request-1"
    assert notifications.marker(member.id).unread == 1
    assert notifications.mark(member.id, second, read=False) == "/requests#request-1"
    assert notifications.mark_all_read(member.id) == 2
    assert notifications.marker(member.id).unread == 0
    assert first is not None


def test_someone_else_s_notification_cannot_be_marked(admin: auth.UserView, member: auth.UserView) -> None:
    theirs = notifications.notify(admin.id, kinds.ANNOUNCEMENT, "For the admin")
    assert theirs is not None
    assert notifications.mark(member.id, theirs) is None
    assert notifications.marker(admin.id).unread == 1


def test_links_are_our_own_pages_only(member: auth.UserView) -> None:
    for link, kept in (("/requests", "/requests"), ("https://evil.example/x", ""), ("//evil.example", ""),
                       ("javascript:alert(1)", ""), (None, "")):  # fmt: skip
        notifications.notify(member.id, kinds.ANNOUNCEMENT, "x", link=link)
        assert notifications.recent(member.id, limit=1)[0].link == kept


def test_paging_newest_first_and_unread_only(member: auth.UserView) -> None:
    for n in range(45):
        notifications.notify(member.id, kinds.ANNOUNCEMENT, f"News {n}")
    first = notifications.page(member.id, 1)
    assert (first.total, first.pages, first.unread) == (45, 3, 45)
    assert first.rows[0].title == "News 44" and len(first.rows) == 20
    last = notifications.page(member.id, 99)  # past the end: the last page
    assert last.page == 3 and [n.title for n in last.rows] == ["News 4", "News 3", "News 2", "News 1", "News 0"]
    notifications.mark_all_read(member.id)
    notifications.notify(member.id, kinds.ANNOUNCEMENT, "Fresh")
    unread = notifications.page(member.id, unread_only=True)
    assert [n.title for n in unread.rows] == ["Fresh"] and unread.total == 1


def test_a_switched_off_kind_is_not_written_at_all(member: auth.UserView) -> None:
    switches.set_enabled(member.id, False, kinds.ANNOUNCEMENT, False)
    assert notifications.notify(member.id, kinds.ANNOUNCEMENT, "Unheard") is None
    assert notifications.notify(member.id, kinds.REQUEST_AVAILABLE, "Heard") is not None
    assert switches.current(member.id, False)[kinds.ANNOUNCEMENT] is False
    switches.set_enabled(member.id, False, kinds.ANNOUNCEMENT, True)
    assert notifications.notify(member.id, kinds.ANNOUNCEMENT, "Heard again") is not None


def test_members_have_no_admin_switches(member: auth.UserView) -> None:
    assert set(switches.current(member.id, False)) == set(kinds.MEMBER_KINDS)
    with pytest.raises(switches.SwitchError):
        switches.set_enabled(member.id, False, kinds.INTEGRATION_HEALTH, False)
    with pytest.raises(switches.SwitchError):
        switches.set_enabled(member.id, False, "no-such-kind", False)


def test_a_dedupe_key_writes_once_even_from_racing_writers(member: auth.UserView) -> None:
    """Two workers writing today's digest at the same moment: one row, one delivery."""
    barrier = threading.Barrier(4)
    written: list[int | None] = []
    errors: list[Exception] = []

    def write() -> None:
        barrier.wait()
        try:
            written.append(notifications.notify(member.id, kinds.NEW_IN_GENRES, "New in Drama", dedupe_key="digest:2026-12-03",
                                                items=[ItemRef(7, "Dune", 2021)]))  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - a clash must not be an error
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(written) == 4
    assert len([w for w in written if w is not None]) == 1
    assert count("notification", "dedupe_key = 'digest:2026-12-03'") == 1
    (row,) = notifications.recent(member.id)
    assert row.items == [ItemRef(7, "Dune", 2021)]
    # Another person, or another day, is not a duplicate.
    assert notifications.notify(member.id, kinds.NEW_IN_GENRES, "New", dedupe_key="digest:2026-12-04") is not None


def test_an_announcement_reaches_everyone_who_wants_it(admin: auth.UserView, member: auth.UserView) -> None:
    quiet = factories.person("Quiet Person")
    switches.set_enabled(quiet, False, kinds.ANNOUNCEMENT, False)
    assert centre.announce(admin.id, "  Movie   night ", "Friday, 8 pm: 千と千尋の神隠し") == 2
    assert notifications.recent(member.id)[0].title == "Movie night"
    assert notifications.recent(admin.id)[0].body == "Friday, 8 pm: 千と千尋の神隠し"
    assert notifications.recent(quiet) == []


@pytest.mark.parametrize(("title", "body"), [("", "x"), ("   ", ""), ("x" * 121, ""), ("ok", "y" * 1001)])
def test_an_announcement_without_a_title_or_too_long_is_refused(admin: auth.UserView, title: str, body: str) -> None:
    with pytest.raises(AnnouncementError):
        centre.announce(admin.id, title, body)
    assert count("notification") == 0


def test_a_member_cannot_announce(member: auth.UserView) -> None:
    with pytest.raises(auth.AuthError):
        centre.announce(member.id, "Free pizza", "")
    assert count("notification") == 0


def test_admin_notifications_go_to_active_admins_only(admin: auth.UserView, member: auth.UserView) -> None:
    second = factories.person("Second Admin", role="admin")
    with write_transaction() as conn:
        written = notifications.add_for_admins(conn, kinds.SYNC_FAILED, "Syncs keep failing")
    assert len(written) == 2
    assert notifications.marker(member.id).unread == 0
    assert notifications.marker(second).unread == 1


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [("pending", "approved", kinds.REQUEST_APPROVED), ("pending", "declined", kinds.REQUEST_DECLINED),
     ("processing", "failed", kinds.REQUEST_DECLINED), ("processing", "available", kinds.REQUEST_AVAILABLE)],
)  # fmt: skip
def test_request_news_carries_its_own_kind_and_links_to_the_request(member: auth.UserView, old: str, new: str, kind: str) -> None:
    with write_transaction() as conn:
        request_id = conn.execute(
            sa.text("INSERT INTO content_request (user_id, media_type, tmdb_id, title, year, status, requested_at, updated_at, "
                    "origin) VALUES (:u, 'movie', 1, 'Dune', 2021, :s, :t, :t, 'smartplex') RETURNING id"),
            {"u": member.id, "s": old, "t": "2026-12-01 10:00:00.000000"},
        ).scalar_one()  # fmt: skip
        assert tracking.transition(conn, request_id, new) is not None
    (news,) = notifications.recent(member.id)
    assert (news.kind, news.link) == (kind, f"/requests#request-{request_id}")
