"""Delivery outside the app through Apprise: destinations (checked, encrypted, masked), the outbox and its worker,
retries with backoff, and destinations that fail or hang, against a real HTTP endpoint and a real SMTP server on
127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from smartplex.db import get_engine
from smartplex.models import DELIVERIES, utcnow
from smartplex.services import auth, notifications
from smartplex.services.notifications import apprise_url, channels, kinds, outbox, worker
from smartplex.services.notifications.channels import ChannelError
from tests.notification_fixtures import JsonReceiver, SmtpServer


def deliver(now=None, owner: str = "test") -> int:  # noqa: ANN001
    return asyncio.run(outbox.process_due(now, owner))


def delivery_rows() -> list[sa.Row]:
    with get_engine().connect() as conn:
        return conn.execute(sa.select(DELIVERIES).order_by(DELIVERIES.c.id)).all()


@pytest.fixture
def silent_smtp() -> Iterator[int]:
    """A port that accepts connections and never says a word (a hung mail server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


@pytest.fixture
def short_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(apprise_url, "CONNECT_TIMEOUT", 0.5)
    monkeypatch.setattr(apprise_url, "READ_TIMEOUT", 0.5)
    monkeypatch.setattr(outbox, "DEADLINE_SECONDS", 1.0)


# --------------------------------------------------------------------------- destinations


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("", "Enter an Apprise URL"),
        ("nonsense://x", "Apprise does not know this kind of address"),
        ("https://hooks.example/x", "For a web hook write json://"),
        ("discord://123", "invalid Discord Webhook Token"),
        ("tgram://abc", "could not read this tgram:// address"),
        ("json://host/ with space", "no spaces"),
        ("json://" + "a" * 3000, "at most 2048 characters"),
    ],
)
def test_an_unusable_url_is_refused_with_the_reason(member: auth.UserView, url: str, says: str) -> None:
    with pytest.raises(ChannelError, match=says):
        channels.add(member.id, False, url)
    assert channels.mine(member.id) == []


def test_a_destination_is_stored_encrypted_and_shown_masked(member: auth.UserView) -> None:
    url = "mailto://max:hunter2-mail-password@mail.example.com?to=max@example.com"
    view = channels.add(member.id, False, url, label="  My   mail ")
    assert (view.label, view.service) == ("My mail", "E-Mail")
    assert "hunter2" not in view.masked and view.masked.startswith("mailto://max:****@mail.example.com")
    with get_engine().connect() as conn:
        stored = conn.execute(sa.text("SELECT url_encrypted FROM notification_channel")).scalar_one()
    assert "hunter2" not in stored and "mail.example.com" not in stored
    assert view.kinds == list(kinds.MEMBER_KINDS)  # every kind a member can get, by default


def test_kinds_per_destination_and_only_ones_the_person_can_get(member: auth.UserView) -> None:
    view = channels.add(member.id, False, "json://127.0.0.1:9/x", kinds=[kinds.REQUEST_AVAILABLE])
    assert view.kinds == [kinds.REQUEST_AVAILABLE]
    assert channels.set_kind(member.id, False, view.id, kinds.ANNOUNCEMENT, True).kinds == [kinds.REQUEST_AVAILABLE, kinds.ANNOUNCEMENT]
    with pytest.raises(ChannelError):
        channels.set_kind(member.id, False, view.id, kinds.STORAGE, True)  # an admin's kind
    with pytest.raises(ChannelError):
        channels.add(member.id, False, "json://127.0.0.1:9/x", kinds=[kinds.INTEGRATION_HEALTH])


def test_a_member_cannot_touch_another_person_s_destination(admin: auth.UserView, member: auth.UserView) -> None:
    theirs = channels.add(admin.id, True, "json://127.0.0.1:9/x")
    with pytest.raises(ChannelError):
        channels.set_kind(member.id, False, theirs.id, kinds.ANNOUNCEMENT, False)
    with pytest.raises(ChannelError):
        channels.remove(member.id, theirs.id)
    assert outbox.enqueue_test(member.id, theirs.id) is None
    assert len(channels.mine(admin.id)) == 1


def test_at_most_ten_destinations(member: auth.UserView) -> None:
    for n in range(channels.MAX_CHANNELS):
        channels.add(member.id, False, f"json://127.0.0.1:9/{n}")
    with pytest.raises(ChannelError, match="at most 10"):
        channels.add(member.id, False, "json://127.0.0.1:9/11")


# --------------------------------------------------------------------------- delivering


def test_a_notification_arrives_at_a_json_endpoint(member: auth.UserView, json_receiver: JsonReceiver) -> None:
    channels.add(member.id, False, json_receiver.apprise_url)
    notifications.notify(member.id, kinds.REQUEST_AVAILABLE, "千と千尋の神隠し is available", "It is on the server now.",
                         "/requests#request-3")  # fmt: skip
    assert deliver() == 1
    (body,) = json_receiver.received
    assert (body["title"], body["message"]) == ("千と千尋の神隠し is available", "It is on the server now.")
    assert json_receiver.paths == ["/hook"]
    assert [r.status for r in delivery_rows()] == ["sent"]
    (view,) = outbox.recent(member.id)
    assert (view.status, view.title, view.error) == ("sent", "千と千尋の神隠し is available", "")
    assert channels.mine(member.id)[0].last_sent_at is not None


def test_only_the_kinds_chosen_go_to_a_destination(member: auth.UserView, json_receiver: JsonReceiver) -> None:
    channels.add(member.id, False, json_receiver.apprise_url, kinds=[kinds.REQUEST_AVAILABLE])
    notifications.notify(member.id, kinds.ANNOUNCEMENT, "In the app only")
    notifications.notify(member.id, kinds.REQUEST_AVAILABLE, "Here too")
    deliver()
    assert [b["title"] for b in json_receiver.received] == ["Here too"]
    assert [n.title for n in notifications.recent(member.id)] == ["Here too", "In the app only"]


def test_a_digest_lists_its_titles_and_the_link_uses_the_public_address(
    member: auth.UserView, json_receiver: JsonReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMARTPLEX_PUBLIC_URL", "https://smartplex.example.com")
    from smartplex.config import reload_settings

    reload_settings()
    try:
        channels.add(member.id, False, json_receiver.apprise_url)
        notifications.notify(member.id, kinds.NEW_IN_GENRES, "New in Drama", "2 titles arrived.", "/notifications",
                             items=[notifications.ItemRef(1, "Amélie", 2001), notifications.ItemRef(2, "Ōkami")])  # fmt: skip
        deliver()
    finally:
        monkeypatch.delenv("SMARTPLEX_PUBLIC_URL")
        reload_settings()
    assert json_receiver.received[0]["message"] == (
        "2 titles arrived.\n• Amélie (2001)\n• Ōkami\n\nhttps://smartplex.example.com/notifications"
    )


def test_email_through_a_real_smtp_server(member: auth.UserView, smtp_server: SmtpServer) -> None:
    channels.add(member.id, False, smtp_server.apprise_url())
    notifications.notify(member.id, kinds.ANNOUNCEMENT, "Movie night: Amélie", "Friday at 8 ✨")
    deliver()
    (mail,) = smtp_server.messages
    assert (mail["Subject"], mail["To"]) == ("Movie night: Amélie", "max@example.com")
    assert "Friday at 8 ✨" in mail.get_content()


def test_failures_are_retried_with_growing_pauses_then_sent(member: auth.UserView, json_receiver: JsonReceiver) -> None:
    channels.add(member.id, False, json_receiver.apprise_url)
    notifications.notify(member.id, kinds.ANNOUNCEMENT, "Persistent")
    json_receiver.fail = 2
    start = utcnow()
    assert deliver(start) == 1
    (row,) = delivery_rows()
    assert (row.status, row.attempts) == ("pending", 1) and "500" in row.last_error
    assert row.next_attempt_at - start >= outbox.RETRY_AFTER[0] - timedelta(seconds=1)
    (view,) = outbox.recent(member.id)
    assert view.status == "retrying" and view.next_attempt_at is not None
    assert deliver(start + timedelta(seconds=5)) == 0  # not due yet
    assert deliver(start + timedelta(seconds=31)) == 1  # second try fails too: a longer pause
    (row,) = delivery_rows()
    assert row.attempts == 2 and row.next_attempt_at - (start + timedelta(seconds=31)) >= outbox.RETRY_AFTER[1] - timedelta(seconds=1)
    assert deliver(start + timedelta(minutes=5)) == 1
    assert [b["title"] for b in json_receiver.received] == ["Persistent"]
    assert delivery_rows()[0].status == "sent"


def test_a_destination_that_keeps_failing_is_given_up_on_with_its_error(member: auth.UserView, json_receiver: JsonReceiver) -> None:
    channels.add(member.id, False, json_receiver.apprise_url)
    notifications.notify(member.id, kinds.ANNOUNCEMENT, "Never")
    json_receiver.fail, json_receiver.status = 99, 404
    moment = utcnow()
    for _ in range(outbox.MAX_ATTEMPTS):
        deliver(moment)
        moment += timedelta(hours=3)
    assert deliver(moment) == 0
    (row,) = delivery_rows()
    assert (row.status, row.attempts) == ("failed", outbox.MAX_ATTEMPTS)
    (channel,) = channels.mine(member.id)
    assert "404" in channel.last_error and channel.last_error_at is not None
    assert outbox.recent(member.id)[0].status == "failed"


def test_an_unreachable_destination_is_a_recorded_failure(member: auth.UserView) -> None:
    channels.add(member.id, False, "json://127.0.0.1:9/nobody-listens")
    notifications.notify(member.id, kinds.ANNOUNCEMENT, "Nowhere")
    deliver()
    (row,) = delivery_rows()
    assert row.status == "pending" and "Connection error" in row.last_error and "127.0.0.1:9/" not in row.last_error


def test_a_hanging_destination_blocks_nothing(
    member: auth.UserView, json_receiver: JsonReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its send is given up after the deadline, the others go out meanwhile, and it never holds two threads."""
    from smartplex.simulators.server import ThreadedServer

    monkeypatch.setattr(apprise_url, "READ_TIMEOUT", 3.0)  # longer than the outbox's own deadline
    monkeypatch.setattr(outbox, "DEADLINE_SECONDS", 1.0)
    stuck = JsonReceiver(hang=True)
    with ThreadedServer(stuck.app()) as server:
        stuck.url = server.url
        hung = channels.add(member.id, False, stuck.apprise_url, label="Stuck")
        channels.add(member.id, False, json_receiver.apprise_url, label="Fine")
        notifications.notify(member.id, kinds.ANNOUNCEMENT, "First")
        notifications.notify(member.id, kinds.ANNOUNCEMENT, "Second")
        began = time.monotonic()
        assert deliver() == 2  # one per destination, at once
        assert time.monotonic() - began < 1.8
        assert deliver() == 1  # the fine destination's second; the stuck one's send is still under way
        assert sorted(b["title"] for b in json_receiver.received) == ["First", "Second"]
        (stuck_row,) = [c for c in channels.mine(member.id) if c.id == hung.id]
        assert stuck_row.last_error == "No answer within 1 s."
        stuck.hang = False


def test_a_mail_server_that_never_answers_times_out(member: auth.UserView, silent_smtp: int, short_timeouts: None) -> None:
    channels.add(member.id, False, f"mailto://127.0.0.1:{silent_smtp}?to=max@example.com&from=sp@example.com&mode=insecure")
    notifications.notify(member.id, kinds.ANNOUNCEMENT, "Hello")
    began = time.monotonic()
    deliver()
    assert time.monotonic() - began < 3
    (row,) = delivery_rows()
    assert row.status == "pending" and row.attempts == 1 and row.last_error


def test_a_test_message_is_tried_once_and_reports_its_outcome(member: auth.UserView, json_receiver: JsonReceiver) -> None:
    view = channels.add(member.id, False, json_receiver.apprise_url)
    delivery_id = outbox.enqueue_test(member.id, view.id)
    assert delivery_id is not None
    deliver()
    assert json_receiver.received[0]["title"] == outbox.TEST_TITLE
    assert outbox.one(member.id, delivery_id).status == "sent"
    json_receiver.fail = 1
    failing = outbox.enqueue_test(member.id, view.id)
    deliver()
    result = outbox.one(member.id, failing)
    assert result.status == "failed" and "500" in result.error  # a test is not retried


def test_a_lease_left_by_a_dead_worker_expires_and_the_delivery_is_sent(member: auth.UserView, json_receiver: JsonReceiver) -> None:
    channels.add(member.id, False, json_receiver.apprise_url)
    notifications.notify(member.id, kinds.ANNOUNCEMENT, "Survivor")
    now = utcnow()
    assert len(outbox.claim(now, "worker-that-dies")) == 1  # claimed, then the process is killed
    assert deliver(now, "other") == 0
    assert deliver(now + outbox.LEASE + timedelta(seconds=1), "other") == 1
    assert [b["title"] for b in json_receiver.received] == ["Survivor"]


def test_concurrent_claims_never_share_a_delivery(member: auth.UserView) -> None:
    for n in range(6):
        channels.add(member.id, False, f"json://127.0.0.1:9/{n}")
    notifications.notify(member.id, kinds.ANNOUNCEMENT, "Fan out")
    now = utcnow()
    first, second = outbox.claim(now, "a"), outbox.claim(now, "b")
    assert len(first) == 6 and second == []


def test_removing_a_destination_drops_what_was_waiting_for_it(member: auth.UserView) -> None:
    view = channels.add(member.id, False, "json://127.0.0.1:9/x")
    notifications.notify(member.id, kinds.ANNOUNCEMENT, "Waiting")
    channels.remove(member.id, view.id)
    assert delivery_rows() == [] and notifications.recent(member.id)[0].title == "Waiting"


def test_the_worker_drains_leftovers_when_the_app_starts(member: auth.UserView, json_receiver: JsonReceiver) -> None:
    channels.add(member.id, False, json_receiver.apprise_url)
    notifications.notify(member.id, kinds.ANNOUNCEMENT, "Left over")  # written while no worker ran

    async def run() -> None:
        async with worker.delivery_lifespan():
            for _ in range(100):
                if json_receiver.received:
                    return
                await asyncio.sleep(0.05)

    asyncio.run(run())
    assert [b["title"] for b in json_receiver.received] == ["Left over"]
