"""Seerr's webhook end to end (the simulator posts to the real route on a real server) and the poll that
catches what the webhook missed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import orjson
import pytest
import sqlalchemy as sa

from smartplex.api import create_api
from smartplex.db import get_engine
from smartplex.models import REQUESTS, WEBHOOK_EVENTS, IntegrationKind, utcnow
from smartplex.services import notifications, ratelimit
from smartplex.services.integrations import webhooks as integration_webhooks
from smartplex.services.overseerr import poll
from smartplex.services.requests import requesting
from smartplex.simulators.overseerr import OverseerrSimulator
from smartplex.simulators.server import ThreadedServer
from tests.overseerr_fixtures import link

KIND = IntegrationKind.OVERSEERR
DUNE = 438631


@pytest.fixture(scope="module")
def api_server() -> Iterator[ThreadedServer]:
    with ThreadedServer(create_api()) as server:
        yield server


@pytest.fixture
def hooked(admin, member, seerr: OverseerrSimulator, api_server: ThreadedServer) -> OverseerrSimulator:
    """Seerr configured to post its webhook to SmartPlex, with an Authorization header on both sides."""
    ratelimit.reset()
    link(seerr, member)
    secret = integration_webhooks.ensure_secret(KIND)
    seerr.webhook_url = f"{api_server.url}/api/webhooks/overseerr/{secret}"
    seerr.webhook_auth = "Bearer seerr-to-smartplex"
    integration_webhooks.set_authorization(admin.id, KIND, seerr.webhook_auth)
    return seerr


def _status(row_id: int) -> str:
    with get_engine().connect() as conn:
        return conn.execute(sa.select(REQUESTS.c.status).where(REQUESTS.c.id == row_id)).scalar_one()


def _audit() -> list[tuple[str, str, str | None]]:
    with get_engine().connect() as conn:
        rows = conn.execute(sa.select(WEBHOOK_EVENTS.c.event, WEBHOOK_EVENTS.c.status, WEBHOOK_EVENTS.c.reason,
                                      WEBHOOK_EVENTS.c.source, WEBHOOK_EVENTS.c.processed_at).order_by(WEBHOOK_EVENTS.c.id)).all()  # fmt: skip
    assert all(r.source == "overseerr" and r.processed_at is not None for r in rows)  # never in the Plex queue
    return [(r.event, r.status, r.reason) for r in rows]


def _wait(predicate, timeout: float = 5.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_seerrs_webhooks_move_the_request_and_tell_the_member(hooked: OverseerrSimulator, member) -> None:
    row = requesting.submit(member.id, "movie", DUNE).row
    _wait(lambda: len(hooked.deliveries) == 1)  # MEDIA_PENDING, as Seerr sends on a new request
    hooked.advance(1, "approved")  # Seerr approves and hands it to Radarr at once: processing
    _wait(lambda: _status(row.id) == "processing")
    hooked.advance(1, "available")
    _wait(lambda: _status(row.id) == "available")
    assert [title for title in (n.title for n in notifications.recent(member.id))] == ["Dune is available", "Dune was approved"]
    assert [(e, s) for e, s, _ in _audit()] == [("MEDIA_PENDING", "accepted"), ("MEDIA_APPROVED", "accepted"), ("MEDIA_AVAILABLE", "accepted")]
    assert all(status == 200 for _, status in hooked.deliveries)


def test_forged_and_malformed_deliveries_are_refused_and_audited(hooked: OverseerrSimulator, member, api_server) -> None:
    requesting.submit(member.id, "movie", DUNE)
    _wait(lambda: len(hooked.deliveries) == 1)
    url = hooked.webhook_url
    assert hooked.fire_webhook("MEDIA_APPROVED", 1, url=url.rsplit("/", 1)[0] + "/not-the-secret").status_code == 404
    assert hooked.fire_webhook("MEDIA_APPROVED", 1, auth="Bearer guess").status_code == 401
    assert httpx.post(url, content=orjson.dumps({"notification_type": "MEDIA_APPROVED"})).status_code == 401  # no header
    headers = {"Authorization": hooked.webhook_auth, "Content-Type": "application/json"}
    for body, reason in [
        (b"{not json", "payload is not valid JSON"),
        (b"[1, 2]", "payload is not a JSON object"),
        (b'{"event": "x"}', "missing notification_type"),
        (orjson.dumps({"notification_type": "MEDIA_APPROVED", "media": None, "request": None}), "no request or media"),
    ]:
        answer = httpx.post(url, content=body, headers=headers)
        assert answer.status_code == 400 and reason in answer.json()["error"]
    huge = httpx.post(url, content=b"{" + b" " * (3 * 1024 * 1024) + b"}", headers=headers)
    assert huge.status_code == 413
    assert _status(1) == "pending"  # nothing moved
    assert [s for _, s, _ in _audit()].count("rejected") == 7
    from smartplex.services.plex import activity

    assert activity.stray_webhooks().count == 0  # the Plex page's strays are Plex's only


def test_duplicates_replays_unknown_requests_and_tests(hooked: OverseerrSimulator, member) -> None:
    row = requesting.submit(member.id, "movie", DUNE).row
    _wait(lambda: len(hooked.deliveries) == 1)
    hooked.advance(1, "approved")
    _wait(lambda: _status(row.id) == "processing")
    assert hooked.fire_webhook("MEDIA_APPROVED", 1).json() == {"status": "duplicate", "detail": "same payload already accepted"}
    hooked.requests[1].status = 1  # an old MEDIA_PENDING replayed later: accepted, but the request does not go back
    assert "unchanged" in hooked.fire_webhook("MEDIA_PENDING", 1).json()["detail"]
    assert _status(row.id) == "processing"
    other = hooked.add_user("stranger", "stranger@example.com")
    from smartplex.simulators.overseerr import MediaRequest

    hooked.requests[50] = MediaRequest(50, hooked._media(hooked.titles[("movie", 754)]), other, 1, [])
    detail = hooked.fire_webhook("MEDIA_PENDING", 50).json()["detail"]
    assert detail == "ignored: no SmartPlex request for movie 754"
    assert hooked.fire_webhook("TEST_NOTIFICATION").json()["detail"] == "test notification"
    assert len(notifications.recent(member.id)) == 1  # approved, once


def test_a_delivery_for_a_request_smartplex_never_saw_links_to_the_members_request(hooked: OverseerrSimulator, member) -> None:
    """Seerr answered slowly, so the reservation has no Seerr id yet when the webhook comes: it is linked by title."""
    with get_engine().begin() as conn:
        row_id = conn.execute(REQUESTS.insert().values(
            user_id=member.id, media_type="movie", tmdb_id=DUNE, title="Dune", status="submitting",
            requested_at=utcnow(), updated_at=utcnow()).returning(REQUESTS.c.id)).scalar_one()  # fmt: skip
    from smartplex.simulators.overseerr import MediaRequest

    hooked.requests[7] = MediaRequest(7, hooked._media(hooked.titles[("movie", DUNE)]), hooked.users[2], 2, [])
    assert hooked.fire_webhook("MEDIA_AUTO_APPROVED", 7).json()["detail"] == f"linked request {row_id}: submitting -> approved"
    with get_engine().connect() as conn:
        assert conn.execute(sa.select(REQUESTS.c.overseerr_request_id).where(REQUESTS.c.id == row_id)).scalar_one() == 7


def test_the_poll_catches_what_the_webhook_missed_in_one_worker(admin, member, seerr: OverseerrSimulator) -> None:
    link(seerr, member)
    row = requesting.submit(member.id, "movie", DUNE).row
    seerr.advance(1, "available")  # no webhook configured: nobody told SmartPlex
    assert _status(row.id) == "pending"
    now = utcnow()
    results = [poll.poll_due("worker-a", now), poll.poll_due("worker-b", now)]
    assert results[1] is None and results[0] is not None and results[0].changed == 1
    assert _status(row.id) == "available" and notifications.marker(member.id).unread == 1
    assert poll.poll_due("worker-b", now + timedelta(minutes=1)) is None  # not due yet
    assert poll.poll_due("worker-b", now + poll.POLL_EVERY) is not None
    assert poll.lease_holder() is None


def test_the_poll_survives_seerr_down_and_drops_stale_reservations(admin, member, seerr: OverseerrSimulator) -> None:
    link(seerr, member)
    with get_engine().begin() as conn:
        conn.execute(REQUESTS.insert().values(user_id=member.id, media_type="movie", tmdb_id=1, title="Lost", status="submitting",
                                              requested_at=utcnow() - timedelta(hours=1), updated_at=utcnow()))  # fmt: skip
    seerr.faults.status = 500
    result = poll.poll_due("worker-a")
    assert result is not None and result.error and "did not answer" in result.error
    assert requesting.mine(member.id).total == 0
    with get_engine().connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(REQUESTS)).scalar_one() == 0
    assert poll.lease_holder() is None
