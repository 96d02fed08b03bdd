"""Requesting through Seerr (the simulator): search badges, requests within quotas, refusals in words, faults
that leave nothing half-written, cancelling, deciding, and statuses kept true by the library."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from smartplex.db import get_engine, session
from smartplex.models import NOTIFICATIONS, REQUESTS, WATCH, User
from smartplex.services import auth, notifications
from smartplex.services.overseerr import gateway, people
from smartplex.services.plex import household
from smartplex.services.requests import availability, catalogue, insights, quotas, requesting
from smartplex.simulators.overseerr import REQUEST, OverseerrSimulator
from tests import factories
from tests.overseerr_fixtures import link
from tests.plex_fixtures import dead_url

DUNE, FACE_OFF, BREAKING_BAD = 438631, 754, 1396


def _rows() -> list[sa.Row]:
    with get_engine().connect() as conn:
        return conn.execute(sa.select(REQUESTS).order_by(REQUESTS.c.id)).all()


def test_search_marks_what_is_on_the_server_requested_or_available(admin, member, seerr: OverseerrSimulator) -> None:
    link(seerr, member)
    server_id = factories.server(admin.id)
    factories.item(server_id, "The Matrix", tmdb_id=603)
    other = auth.create_user("Olga Other", "olga@example.com", "correct horse battery")
    link(seerr, other)
    requesting.submit(other.id, "movie", 604)
    seerr.set_available("movie", 605)
    cards = {c.tmdb_id: c for c in catalogue.search(member.id, "matrix")}
    assert (cards[603].badge, cards[604].badge, cards[605].badge) == ("on_server", "requested", "available")
    assert cards[604].badge_label == "Requested" and not cards[604].requestable  # nobody is named
    assert cards[603].poster_url.startswith("/api/images/tmdb/") and cards[603].poster_url.endswith(".jpg?w=300")
    assert seerr.seen[-1] == "GET /api/v1/search?query=matrix&page=1 2"  # as the member's Seerr user
    assert catalogue.search(other.id, "matrix reloaded")[0].badge == "requested_by_you"


def test_search_sends_reserved_characters_encoded_and_refuses_blank_or_long_queries(admin, member, seerr) -> None:
    assert [c.title for c in catalogue.search(member.id, "Face/Off")] == ["Face/Off"]
    assert "query=Face%2FOff&page=1" in seerr.seen[-1]
    catalogue.search(member.id, "léon: the professional")
    assert "query=l%C3%A9on%3A%20the%20professional&page=1" in seerr.seen[-1]
    calls = len(seerr.seen)
    assert catalogue.search(member.id, "   ") == []
    with pytest.raises(catalogue.SearchError, match="at most 200"):
        catalogue.search(member.id, "x" * 500)
    assert len(seerr.seen) == calls  # neither reached Seerr


def test_a_movie_is_requested_as_the_member_in_one_call(admin, member, seerr) -> None:
    seerr_id = link(seerr, member)
    done = requesting.submit(member.id, "movie", DUNE)
    assert done.row.status == "pending" and done.message == "Requested Dune."
    (row,) = _rows()
    assert (row.user_id, row.tmdb_id, row.title, row.year, row.overseerr_request_id) == (member.id, DUNE, "Dune", 2021, 1)
    assert seerr.requests[1].requested_by.id == seerr_id  # acted as the member, not the admin
    with pytest.raises(requesting.RequestError, match="already requested Dune"):
        requesting.submit(member.id, "movie", DUNE)


def test_auto_approved_members_see_it_approved(admin, member, seerr) -> None:
    link(seerr, member, auto_approve=True)
    assert requesting.submit(member.id, "movie", DUNE).row.status == "processing"


def test_seasons_already_requested_or_on_the_server_cannot_be_picked(admin, member, seerr) -> None:
    link(seerr, member)
    server_id = factories.server(admin.id)
    factories.show(server_id, "Breaking Bad", tmdb_id=BREAKING_BAD, rating_key="bb")
    detail = catalogue.details(member.id, "tv", BREAKING_BAD)
    assert [(s.number, s.state) for s in detail.seasons][:3] == [(1, "on_server"), (2, ""), (3, "")]
    done = requesting.submit(member.id, "tv", BREAKING_BAD, [2, 3])
    assert done.row.seasons_label == "Seasons 2, 3"
    assert [s.state for s in catalogue.details(member.id, "tv", BREAKING_BAD).seasons][:4] == ["on_server", "requested", "requested", ""]
    for taken in ([1], [3]):
        with pytest.raises(requesting.RequestError, match="already on the server or requested"):
            requesting.submit(member.id, "tv", BREAKING_BAD, taken)
    with pytest.raises(requesting.RequestError, match="has no season 9"):
        requesting.submit(member.id, "tv", BREAKING_BAD, [9])


@pytest.mark.parametrize(
    ("media_type", "tmdb_id", "seasons", "message"),
    [
        ("song", DUNE, None, "Pick a movie or a show"),
        ("movie", "12; DROP TABLE", None, "no TMDB id"),
        ("movie", -1, None, "no TMDB id"),
        ("movie", True, None, "no TMDB id"),
        ("tv", BREAKING_BAD, [], "at least one season"),
        ("tv", BREAKING_BAD, ["1"], "from the list"),
        ("tv", BREAKING_BAD, list(range(1, 300)), "from the list"),
    ],
)
def test_malformed_requests_are_refused_before_seerr(admin, member, seerr, media_type, tmdb_id, seasons, message) -> None:
    link(seerr, member)
    calls = len(seerr.seen)
    with pytest.raises(requesting.RequestError, match=message):
        requesting.submit(member.id, media_type, tmdb_id, seasons)
    assert len(seerr.seen) == calls and _rows() == []


def test_the_weekly_quota_holds_on_every_path(admin, member, seerr) -> None:
    link(seerr, member)
    quotas.set_household_default(admin.id, "2", "3")
    requesting.submit(member.id, "movie", DUNE)
    assert requesting.quota(member.id).summary == "1 of 2 movies and 3 of 3 seasons left this week"
    requesting.submit(member.id, "movie", FACE_OFF)
    calls = len(seerr.requests)
    with pytest.raises(requesting.RequestError, match="used your 2 movies for this week"):
        requesting.submit(member.id, "movie", 603)
    with pytest.raises(requesting.RequestError, match="That is 4 seasons, and you have 3 of 3 left"):
        requesting.submit(member.id, "tv", BREAKING_BAD, [1, 2, 3, 4])
    assert len(seerr.requests) == calls and len(_rows()) == 2
    quotas.set_member_limits(admin.id, member.id, "5", "")
    assert requesting.submit(member.id, "movie", 603).row.status == "pending"  # the member's own limit wins
    assert requesting.quota(admin.id).summary == ""  # admins have none
    with pytest.raises(auth.AuthError):
        quotas.set_member_limits(member.id, member.id, "99", "99")
    with pytest.raises(quotas.QuotaError, match="between 0 and 1000"):
        quotas.set_household_default(admin.id, "-1", "")
    with pytest.raises(quotas.QuotaError, match="whole number"):
        quotas.set_household_default(admin.id, "lots", "")


def test_seerr_refusals_are_said_in_words_and_leave_nothing(admin, member, seerr) -> None:
    link(seerr, member, movie_quota=0)
    with pytest.raises(requesting.RequestError, match="reached your request limit"):
        requesting.submit(member.id, "movie", DUNE)
    assert _rows() == []


def test_members_from_plex_without_an_email_are_matched_by_their_plex_account(admin, member, seerr) -> None:
    """People imported from Plex may have no email: the mapping links them by Plex account and skips the rest."""
    from_plex = factories.person("Kim Plex", plex_account_id=4242)
    with session() as s:
        s.get(User, from_plex).email = None  # type: ignore[union-attr]
    nobody = factories.person("No Mail")
    with session() as s:
        s.get(User, nobody).email = None  # type: ignore[union-attr]
    kim = seerr.add_user("kim", "kim@elsewhere.example", plex_id=4242, permissions=REQUEST)
    people.refresh()
    assert people.seerr_user_for(from_plex) == kim.id and people.seerr_user_for(nobody) is None
    assert {link.user_id: link.email for link in people.links()}[nobody] == ""


def test_unlinked_members_are_told_to_ask_the_admin(admin, member, seerr) -> None:
    with pytest.raises(requesting.RequestError, match="not linked to an Overseerr / Seerr user"):
        requesting.submit(member.id, "movie", DUNE)


@pytest.mark.parametrize("fault", ["status", "malformed", "down", "timeout"])
def test_seerr_faults_give_a_clear_message_and_leave_nothing(admin, member, seerr, fault, monkeypatch) -> None:
    link(seerr, member)
    catalogue.details(member.id, "movie", DUNE)
    seerr.faults.path_prefix = "/api/v1/request"
    if fault == "status":
        seerr.faults.status = 500
    elif fault == "malformed":
        seerr.malformed = True
    elif fault == "timeout":
        monkeypatch.setenv("SMARTPLEX_OVERSEERR_TIMEOUT", "0.3")
        from smartplex.config import reload_settings

        reload_settings()
        seerr.faults.hang = True
    else:
        from smartplex.services.integrations import store

        store.save(admin.id, "overseerr", base_url=dead_url())
    with pytest.raises(requesting.RequestError, match="Overseerr / Seerr"):
        requesting.submit(member.id, "movie", DUNE)
    assert _rows() == [] and seerr.requests == {}


def test_seerr_failing_again_and_again_opens_the_circuit(admin, member, seerr) -> None:
    link(seerr, member)
    seerr.faults.status = 500
    for _ in range(3):
        with pytest.raises(Exception, match="did not answer"):
            catalogue.search(member.id, "dune")
    seen = len(seerr.seen)
    with pytest.raises(Exception, match="tries it again after"):
        catalogue.search(member.id, "dune")
    assert len(seerr.seen) == seen  # not even asked


def test_a_wrong_api_key_is_reported_as_rejected(admin, member, seerr) -> None:
    from smartplex.services.integrations import store

    store.save(admin.id, "overseerr", base_url=seerr.url, secret="not-the-key")
    with pytest.raises(Exception, match="rejected the API key"):
        catalogue.search(member.id, "dune")
    assert store.get("overseerr").health_status == "rejected"


def test_cancel_only_while_pending(admin, member, seerr) -> None:
    link(seerr, member)
    pending = requesting.submit(member.id, "movie", DUNE).row
    approved = requesting.submit(member.id, "movie", FACE_OFF).row
    requesting.decide(admin.id, approved.id, approve=True)
    with pytest.raises(requesting.RequestError, match="Only a pending request"):
        requesting.cancel(member.id, approved.id)
    other = auth.create_user("Olga Other", "olga@example.com", "correct horse battery")
    with pytest.raises(requesting.RequestError, match="no longer exists"):
        requesting.cancel(other.id, pending.id)
    requesting.cancel(member.id, pending.id)
    assert [r.id for r in _rows()] == [approved.id] and 1 not in seerr.requests


def test_admin_decisions_go_through_seerr_and_notify_the_requester(admin, member, seerr) -> None:
    link(seerr, member)
    row = requesting.submit(member.id, "movie", DUNE).row
    with pytest.raises(auth.AuthError):
        requesting.decide(member.id, row.id, approve=True)
    assert requesting.decide(admin.id, row.id, approve=False).status == "declined"
    assert seerr.requests[1].status == 3
    (news,) = notifications.recent(member.id)
    assert (news.title, news.link) == ("Dune was declined", f"/requests#request-{row.id}")
    page = requesting.mine(member.id, "declined")
    assert [r.title for r in page.rows] == ["Dune"] and requesting.mine(member.id, "pending").rows == []
    with pytest.raises(auth.AuthError):
        requesting.everyone(member.id)


def test_the_library_makes_a_request_available_and_counts_who_watches_it(admin, member, seerr) -> None:
    link(seerr, member)
    row = requesting.submit(member.id, "movie", DUNE).row
    server_id = factories.server(admin.id)
    item_id = factories.item(server_id, "Dune", tmdb_id=DUNE, rating_key="dune")
    changes = availability.on_items_written(server_id, [{"type": "movie", "rating_key": "dune", "tmdb_id": DUNE}])
    assert [(c.old, c.new) for c in changes] == [("pending", "available")]
    assert notifications.marker(member.id).unread == 1
    assert notifications.recent(member.id)[0].title == "Dune is available"
    assert availability.on_items_written(server_id, [{"type": "movie", "rating_key": "dune", "tmdb_id": DUNE}]) == []
    # Seerr noticing later changes nothing and notifies nobody again.
    from smartplex.services.requests import tracking
    from smartplex.services.overseerr import wire

    seerr_view = wire.Request(1, wire.REQUEST_APPROVED, "movie", DUNE, media_status=wire.MEDIA_PROCESSING)
    assert tracking.apply_seerr(seerr_view).endswith("unchanged")
    assert notifications.marker(member.id).unread == 1
    from smartplex.db import write_transaction
    from smartplex.services.requests import attribution

    with write_transaction() as conn:
        found = attribution.requests_by_item(conn, [item_id])
    assert [rid for _, rid in found[item_id]] == [row.id]
    olga = factories.person("Olga Other")
    from datetime import UTC, datetime

    events = [{"media_item_id": item_id, "viewed_at": datetime.now(UTC)}]
    with write_transaction() as conn:
        attribution.attribute(conn, events)
    assert events[0]["attributed_to_request_id"] == row.id
    factories.play(server_id, olga, item_id, datetime.now(UTC), attributed_to_request_id=row.id)
    (ratio,) = insights.ratios(admin.id)
    assert (ratio.name, ratio.summary, ratio.watched_by_them, ratio.watched_by_others) == ("Max Member", "1 of 1 watched (100%)", 0, 1)
    with get_engine().connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(WATCH)).scalar_one() == 1
        assert conn.execute(sa.select(sa.func.count()).select_from(NOTIFICATIONS)).scalar_one() == 1


def test_a_new_season_makes_a_show_request_partly_then_fully_available(admin, member, seerr) -> None:
    link(seerr, member)
    server_id = factories.server(admin.id)
    factories.show(server_id, "Breaking Bad", tmdb_id=BREAKING_BAD, rating_key="bb")
    row = requesting.submit(member.id, "tv", BREAKING_BAD, [2, 3]).row
    factories.item(server_id, "Season 2", "season", rating_key="bb2", parent_rating_key="bb", item_index=2)
    changes = availability.on_items_written(server_id, [{"type": "season", "rating_key": "bb2", "parent_rating_key": "bb"}])
    assert [c.new for c in changes] == ["partially_available"]
    assert requesting.mine(member.id).rows[0].seasons_label == "Seasons 2, 3 (2 on the server)"
    factories.item(server_id, "Season 3", "season", rating_key="bb3", parent_rating_key="bb", item_index=3)
    changes = availability.on_items_written(server_id, [{"type": "episode", "rating_key": "e", "grandparent_rating_key": "bb"}])
    assert [c.new for c in changes] == ["available"]
    assert [n.title for n in notifications.recent(member.id)] == ["Breaking Bad is available", "New on the server: Breaking Bad"]
    assert _rows()[0].id == row.id


def test_no_open_request_costs_one_query_and_never_fails_a_sync(admin, seerr) -> None:
    assert availability.on_items_written(1, [{"type": "movie", "rating_key": "1", "tmdb_id": DUNE}]) == []
    gateway.reset()


def test_unicode_and_thousand_character_titles_are_requested_whole(admin, member, seerr) -> None:
    link(seerr, member)
    long_title = "千と千尋 🎬 " + "é" * 1200
    seerr.add_title("movie", 990_001, long_title, 2024)
    (card,) = catalogue.search(member.id, "千と千尋 🎬")
    assert card.title == long_title[:1000]
    row = requesting.submit(member.id, "movie", 990_001).row
    assert row.title == long_title[:1000] and _rows()[0].title == long_title[:1000]


def test_a_title_on_any_server_the_member_reaches_is_on_the_server(admin, member, seerr: OverseerrSimulator) -> None:
    """With two servers, "On the server" means on any server the member reaches; one not shared with them does
    not count."""
    link(seerr, member)
    home = factories.server(admin.id, "Home", machine_id="h" * 40)
    cabin = factories.server(admin.id, "Cabin", machine_id="c" * 40)
    factories.item(cabin, "The Matrix", tmdb_id=603)
    assert {c.tmdb_id: c.badge for c in catalogue.search(member.id, "matrix")}[603] == "on_server"
    household.record_accounts(cabin, [1])  # the cabin is shared with nobody else now
    with session() as s:
        s.get(User, member.id).plex_account_id = 4242  # type: ignore[union-attr]
    assert {c.tmdb_id: c.badge for c in catalogue.search(member.id, "matrix")}[603] == ""
    factories.item(home, "The Matrix", tmdb_id=603)
    assert {c.tmdb_id: c.badge for c in catalogue.search(member.id, "matrix")}[603] == "on_server"
