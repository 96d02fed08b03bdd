"""Plex webhooks end to end: the real route, the real database, real-format deliveries from the simulator."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import re
import secrets
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient

from smartplex import db as dbmod
from smartplex.api import create_api
from smartplex.config import reload_settings
from smartplex.services import auth, ratelimit
from smartplex.db import session
from smartplex.models import WebhookEvent, utcnow
from smartplex.services.plex import activity, servers, webhooks
from smartplex.services.plex.webhooks import receiving as webhook_receive
from smartplex.services.plex.webhooks import worker as webhook_worker
from smartplex.simulators.plex import PlexSimulator
from smartplex.simulators.plex_webhooks import webhook_multipart, webhook_payload
from tests import factories
from tests.webhook_fixtures import (
    ALICE,
    BOB,
    OWNER_ACCOUNT,
    SERVERS,
    Owner,
    add_media_item,
    count,
    deliver,
    free_port,
    link_account,
    movie,
    post,
    rows,
    serve_in_subprocess,
    stop,
)

pytestmark = pytest.mark.usefixtures("fresh_caches")

HAS_SYNC = importlib.util.find_spec("smartplex.services.plex.sync") is not None


def only_webhook(status: str) -> dict:
    [row] = rows("webhook_event")
    assert row["status"] == status, row
    return row


# --------------------------------------------------------------------------- one test per event type

WATCH_CASES = [
    # event, account, transport, thumb, payload part labelled application/json
    ("media.play", ALICE, "multipart", True, False),
    ("media.pause", ALICE, "multipart", False, True),
    ("media.resume", OWNER_ACCOUNT, "json", False, False),
    ("media.stop", OWNER_ACCOUNT, "multipart", False, False),
    ("media.scrobble", ALICE, "multipart", False, True),
    ("media.rate", OWNER_ACCOUNT, "multipart", True, True),
]


@pytest.mark.parametrize(("event", "account", "transport", "thumb", "as_json"), WATCH_CASES)
def test_watch_event_types(
    client: TestClient,
    owner: Owner,
    member: auth.UserView,
    event: str,
    account: int,
    transport: str,
    thumb: bool,
    as_json: bool,
) -> None:
    link_account(member.id, ALICE)
    key = movie(owner.sim)
    item_id = add_media_item(owner.server_id, key)
    payload = webhook_payload(owner.sim, event, account, key)
    response = post(client, owner.url, payload, thumb=key if thumb else None, as_json=as_json, transport=transport)
    assert response.status_code == 200 and response.json() == {"status": "accepted"}
    queued = only_webhook("accepted")
    assert (queued["event"], queued["server_id"], queued["owner_id"], queued["processed_at"]) == (
        event, owner.server_id, owner.id, None,
    )  # fmt: skip
    assert json.loads(queued["payload"]) == payload and len(queued["payload_hash"]) == 64

    assert webhooks.process_pending() == 1
    assert only_webhook("accepted")["processed_at"] is not None
    [watch] = rows("watch_event")
    expected_user = member.id if account == ALICE else owner.id
    assert (watch["event"], watch["user_id"], watch["plex_account_id"]) == (event.split(".")[1], expected_user, account)
    assert (watch["server_id"], watch["media_item_id"], watch["rating_key"], watch["source"]) == (
        owner.server_id, item_id, str(key), "webhook",
    )  # fmt: skip
    meta = payload["Metadata"]
    if event == "media.scrobble":
        assert watch["progress"] == 1.0
        assert _utc(watch["viewed_at"]) == datetime.fromtimestamp(meta["lastViewedAt"], UTC)
    else:
        assert watch["progress"] == pytest.approx(meta.get("viewOffset", 0) / meta["duration"])
    assert watch["user_rating"] == (8.0 if event == "media.rate" else 0.0)
    assert webhooks.process_pending() == 0


@pytest.mark.parametrize(
    ("event", "transport"),
    [
        ("library.on.deck", "multipart+thumb"),
        ("admin.database.backup", "multipart"),
        ("device.new", "json"),
        ("playback.started", "multipart+thumb"),
    ],
)
def test_other_event_types_are_only_marked(client: TestClient, owner: Owner, event: str, transport: str) -> None:
    key = movie(owner.sim)
    payload = webhook_payload(owner.sim, event, ALICE if event == "playback.started" else OWNER_ACCOUNT, key)
    response = post(
        client,
        owner.url,
        payload,
        thumb=key if transport.endswith("thumb") else None,
        transport=transport.split("+")[0],
    )
    assert response.json() == {"status": "accepted"}
    assert webhooks.process_pending() == 1
    row = only_webhook("accepted")
    assert row["processed_at"] is not None and row["reason"] is None
    assert count("watch_event") == 0 and count("media_item") == 0


@pytest.mark.skipif(not HAS_SYNC, reason="smartplex.services.plex.sync (sync_item) is not written yet")
def test_library_new_syncs_the_item(client: TestClient, admin: auth.UserView) -> None:
    plex = PlexSimulator(movies=3, shows=0, seed=5)
    with plex.serve():
        server_id = factories.simulated_server(admin.id, plex, urls=[plex.url or ""])
        url = f"/api/webhooks/plex/{servers.ensure_webhook_secret(admin.id)}"
        added = plex.add_movie("Brand New Día")
        payload = webhook_payload(plex, "library.new", OWNER_ACCOUNT, added.rating_key)
        assert post(client, url, payload, thumb=added.rating_key).json() == {"status": "accepted"}
        gone = webhook_payload(plex, "library.new", OWNER_ACCOUNT, added.rating_key)
        gone["Metadata"]["ratingKey"] = "999999"
        assert post(client, url, gone).json() == {"status": "accepted"}
        assert webhooks.process_pending() == 2
    [synced] = [r for r in rows("media_item") if r["rating_key"] == str(added.rating_key)]
    assert (synced["server_id"], synced["title"]) == (server_id, "Brand New Día")
    first, missing = rows("webhook_event")
    assert first["status"] == "accepted" and first["processed_at"] is not None
    assert missing["status"] == "failed" and "not found" in missing["reason"]
    assert count("watch_event") == 0


def test_library_new_failure_marks_the_row_not_the_batch(client: TestClient, owner: Owner) -> None:
    """The owner's server URL points at a closed port, so the item fetch fails; the play next to it still lands."""
    key = movie(owner.sim)
    deliver(client, owner, "library.new", OWNER_ACCOUNT, key)
    deliver(client, owner, "media.play", OWNER_ACCOUNT, key)
    assert webhooks.process_pending() == 2
    new, play = rows("webhook_event")
    assert new["status"] == "failed" and new["reason"] and new["processed_at"] is not None
    assert play["status"] == "accepted" and play["processed_at"] is not None
    assert [w["event"] for w in rows("watch_event")] == ["play"]


# --------------------------------------------------------------------------- who watched


def test_unlinked_shared_user_is_not_the_owner(client: TestClient, owner: Owner) -> None:
    """Every delivery to the owner's URL says owner:true; only user:true too means the owner acted."""
    deliver(client, owner, "media.stop", BOB, movie(owner.sim))
    webhooks.process_pending()
    [watch] = rows("watch_event")
    assert (watch["user_id"], watch["plex_account_id"], watch["media_item_id"]) == (None, BOB, None)


def test_linking_later_gives_the_member_their_earlier_plays(client: TestClient, owner: Owner) -> None:
    from smartplex.services import auth
    from smartplex.services.plex import accounts

    deliver(client, owner, "media.stop", BOB, movie(owner.sim))
    webhooks.process_pending()
    bob = auth.create_user("Bob", "bob@example.com", "correct horse battery")
    accounts.link_user(bob.id, BOB, "bob")
    assert [(w["user_id"], w["plex_account_id"]) for w in rows("watch_event")] == [(bob.id, BOB)]


def test_owner_linked_by_plex_tv_id(client: TestClient, owner: Owner) -> None:
    plex_tv_id = owner.sim.account(OWNER_ACCOUNT).plex_id
    link_account(owner.id, plex_tv_id)
    deliver(client, owner, "media.play", plex_tv_id, movie(owner.sim))
    webhooks.process_pending()
    assert [(w["user_id"], w["plex_account_id"]) for w in rows("watch_event")] == [(owner.id, plex_tv_id)]


def test_null_ish_fields(client: TestClient, owner: Owner) -> None:
    key = movie(owner.sim)
    no_metadata = webhook_payload(owner.sim, "media.play", OWNER_ACCOUNT, key)
    del no_metadata["Metadata"]
    no_account_id = webhook_payload(owner.sim, "media.pause", OWNER_ACCOUNT, key)
    del no_account_id["Account"]["id"]
    no_account_id["Metadata"].pop("duration", None)
    shared_no_account = webhook_payload(owner.sim, "media.stop", BOB, key)
    shared_no_account["Account"] = None
    shared_no_account["Metadata"]["viewOffset"] = "oops"
    for payload in (no_metadata, no_account_id, shared_no_account):
        assert post(client, owner.url, payload).json() == {"status": "accepted"}
    assert webhooks.process_pending() == 3
    statuses = [(r["status"], r["reason"]) for r in rows("webhook_event")]
    assert statuses == [("failed", "media.play without Metadata.ratingKey"), ("accepted", None), ("accepted", None)]
    pause, stop_ = rows("watch_event")
    assert (pause["event"], pause["user_id"], pause["plex_account_id"], pause["progress"]) == (
        "pause",
        owner.id,
        None,
        0.0,
    )
    assert (stop_["event"], stop_["user_id"], stop_["plex_account_id"], stop_["view_offset_ms"]) == (
        "stop",
        None,
        None,
        0,
    )


def test_unicode_titles(client: TestClient, owner: Owner) -> None:
    titles = ["千と千尋の神隠し", "Pokémon 🎬 Adventure", 'The "Quoted" <Title>']
    for n, title in enumerate(titles):
        payload = webhook_payload(owner.sim, "media.scrobble", OWNER_ACCOUNT, movie(owner.sim))
        payload["Metadata"]["title"] = title
        assert (
            post(
                client, owner.url, payload, as_json=n % 2 == 0, transport="json" if n == 2 else "multipart"
            ).status_code
            == 200
        )
    webhooks.process_pending()
    assert [json.loads(r["payload"])["Metadata"]["title"] for r in rows("webhook_event")] == titles
    assert count("watch_event") == 3


# --------------------------------------------------------------------------- refusals


def test_unknown_secret_is_recorded_without_it(client: TestClient, owner: Owner) -> None:
    forged = secrets.token_urlsafe(32)
    payload = webhook_payload(owner.sim, "media.play", OWNER_ACCOUNT, movie(owner.sim))
    response = post(client, f"/api/webhooks/plex/{forged}", payload)
    assert response.status_code == 404 and response.json() == {"error": "unknown webhook URL"}
    row = only_webhook("rejected")
    assert (row["owner_id"], row["server_id"], row["event"], row["payload"], row["payload_hash"]) == (None,) * 5
    assert row["reason"] == "unknown webhook URL" and row["remote_ip"] == "testclient"
    assert forged not in repr(row) and webhooks.process_pending() == 0
    assert count("watch_event") == 0


def test_other_owners_server_is_rejected(client: TestClient, owner: Owner) -> None:
    other_plex = PlexSimulator(movies=2, shows=0, seed=99, machine_identifier="b" * 40)
    other = auth.create_user("Olga Other", "olga@example.com", "correct horse battery", role="admin")
    factories.simulated_server(other.id, other_plex, urls=[factories.NOWHERE])
    payload = webhook_payload(other_plex, "media.play", OWNER_ACCOUNT, movie(other_plex))
    response = post(client, owner.url, payload)
    assert response.status_code == 403 and response.json() == {"error": "unknown server for this webhook URL"}
    row = only_webhook("rejected")
    assert (row["owner_id"], row["server_id"], row["event"], row["payload"]) == (owner.id, None, "media.play", None)
    assert webhooks.process_pending() == 0 and count("watch_event") == 0


def test_oversized_body(client: TestClient, owner: Owner) -> None:
    payload = webhook_payload(owner.sim, "media.play", OWNER_ACCOUNT, movie(owner.sim))
    payload["padding"] = "x" * (2 * 1024 * 1024)
    body, content_type = webhook_multipart(payload)
    declared = client.post(owner.url, content=body, headers={"Content-Type": content_type})
    streamed = client.post(owner.url, content=iter([body[:1000], body[1000:]]), headers={"Content-Type": content_type})
    for response in (declared, streamed):
        assert response.status_code == 413 and response.json() == {"error": "body larger than 2 MiB"}
    assert [(r["status"], r["owner_id"], r["payload"]) for r in rows("webhook_event")] == [
        ("rejected", owner.id, None)
    ] * 2


BOUNDARY = "------------------------e9b6fd531fc73c30"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def _part(name: str, content: bytes, extra: str = "") -> bytes:
    return f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"{extra}\r\n\r\n'.encode() + content + b"\r\n"


END = f"--{BOUNDARY}--\r\n".encode()
GOOD = b'{"event":"media.play","Server":{"uuid":"abc"}}'


@pytest.mark.parametrize(
    ("content_type", "body", "status", "reason"),
    [
        (MULTIPART, _part("thumb", b"\xff\xd8jpeg", '; filename="thumb.jpg"') + END, 400, "missing payload part"),
        (MULTIPART, _part("payload", b"{not json") + END, 400, "payload is not valid JSON"),
        (MULTIPART, _part("payload", b"\xff\xfe") + END, 400, "payload is not valid JSON"),
        (MULTIPART, _part("payload", b'["media.play"]') + END, 400, "payload is not a JSON object"),
        (MULTIPART, _part("payload", b'{"Server":{"uuid":"abc"}}') + END, 400, "missing event"),
        (MULTIPART, _part("payload", b'{"event":"media.play","Server":{}}') + END, 400, "missing Server.uuid"),
        (MULTIPART, _part("payload", GOOD) + _part("payload", GOOD) + END, 400, "more than one payload part"),
        (MULTIPART, _part("payload", GOOD), 400, "malformed multipart body: truncated"),
        (MULTIPART, b"this is not multipart", 400, "malformed multipart body"),
        ("multipart/form-data", _part("payload", GOOD) + END, 400, "malformed multipart body: no boundary"),
        ("application/json", b'{"event": 5, "Server": {"uuid": "abc"}}', 400, "missing event"),
        ("application/json", b"null", 400, "payload is not a JSON object"),
        ("application/json", b"", 400, "payload is not valid JSON"),
        ("text/plain", GOOD, 415, "unsupported content type"),
        ("", GOOD, 415, "unsupported content type"),
    ],
)
def test_malformed_bodies(
    client: TestClient, owner: Owner, content_type: str, body: bytes, status: int, reason: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post(owner.url, content=body, headers=headers)
    assert (response.status_code, response.json()) == (status, {"error": reason})
    row = only_webhook("rejected")
    assert (row["reason"], row["owner_id"], row["payload"]) == (reason, owner.id, None)
    assert row["event"] == ("media.play" if reason == "missing Server.uuid" else None)


def test_rotated_secret_stops_working(client: TestClient, owner: Owner, monkeypatch: pytest.MonkeyPatch) -> None:
    payload = webhook_payload(owner.sim, "media.play", OWNER_ACCOUNT, movie(owner.sim))
    assert post(client, owner.url, payload).status_code == 200  # the owner is cached now
    new_secret = servers.rotate_webhook_secret(owner.id)
    webhooks.forget_cached()
    assert post(client, owner.url, payload).status_code == 404
    # Processes that were not told: the TTL bounds how long the old URL keeps working there.
    monkeypatch.setattr(webhook_receive, "CACHE_TTL", 0.05)
    payload["Metadata"]["viewOffset"] = 1
    assert post(client, f"/api/webhooks/plex/{new_secret}", payload).status_code == 200
    newest = servers.rotate_webhook_secret(owner.id)
    time.sleep(0.06)
    assert post(client, f"/api/webhooks/plex/{new_secret}", payload).status_code == 404
    assert post(client, f"/api/webhooks/plex/{newest}", payload).json() == {"status": "duplicate"}


def test_new_server_is_known_at_once(client: TestClient, owner: Owner) -> None:
    """Server lookups are cached, but a miss asks the database: a server connected a moment ago works."""
    assert deliver(client, owner, "media.play", OWNER_ACCOUNT, movie(owner.sim)).status_code == 200
    second = PlexSimulator(movies=2, shows=0, seed=42, machine_identifier="c" * 40)
    factories.simulated_server(owner.id, second, urls=[factories.NOWHERE])
    assert (
        post(client, owner.url, webhook_payload(second, "media.play", OWNER_ACCOUNT, movie(second))).status_code == 200
    )


# --------------------------------------------------------------------------- duplicates, rate limits, restarts


def test_duplicate_delivery(client: TestClient, owner: Owner) -> None:
    payload = webhook_payload(owner.sim, "media.scrobble", ALICE, movie(owner.sim))
    assert post(client, owner.url, payload).json() == {"status": "accepted"}
    assert post(client, owner.url, payload, as_json=True).json() == {"status": "duplicate"}
    assert post(client, owner.url, payload, transport="json").json() == {"status": "duplicate"}
    assert webhooks.process_pending() == 1
    assert [r["status"] for r in rows("webhook_event")] == ["accepted", "duplicate", "duplicate"]
    assert count("watch_event") == 1


def test_concurrent_deliveries_are_grouped_and_deduplicated(owner: Owner, monkeypatch: pytest.MonkeyPatch) -> None:
    """Concurrent requests share transactions; a duplicate in the same group still sees its original."""
    groups: list[int] = []
    receive_many = webhook_receive.receive_many
    monkeypatch.setattr(webhook_receive, "receive_many", lambda ds: groups.append(len(ds)) or receive_many(ds))
    key = movie(owner.sim)
    bodies = [webhook_multipart(webhook_payload(owner.sim, "media.play", BOB, key, view_offset=n)) for n in range(20)]

    async def burst() -> list[dict]:
        transport = httpx.ASGITransport(app=create_api())
        async with httpx.AsyncClient(transport=transport, base_url="http://smartplex") as http:
            answers = await asyncio.gather(
                *(
                    http.post(owner.url, content=body, headers={"Content-Type": content_type})
                    for body, content_type in bodies * 2
                )
            )
        return [a.json() for a in answers]

    answers = asyncio.run(burst())
    assert sum(groups) == 40 and max(groups) > 1
    assert sorted(a["status"] for a in answers) == ["accepted"] * 20 + ["duplicate"] * 20
    assert webhooks.process_pending() == 20 and count("watch_event") == 20


def test_reprocessing_never_doubles(client: TestClient, owner: Owner) -> None:
    """Two workers taking the same rows (simulated by un-marking them) write each watch event once."""
    for event in ("media.play", "media.stop"):
        deliver(client, owner, event, OWNER_ACCOUNT, movie(owner.sim))
    assert webhooks.process_pending() == 2
    with dbmod.get_engine().begin() as conn:
        conn.exec_driver_sql("UPDATE webhook_event SET processed_at = NULL")
    assert webhooks.process_pending() == 2
    assert count("watch_event") == 2


DRAIN = "from smartplex.services.plex import webhooks\nwhile webhooks.process_pending(batch=20):\n    pass\n"


@pytest.mark.slow
def test_two_processes_drain_concurrently(owner: Owner) -> None:
    key = movie(owner.sim)
    for n in range(300):
        body, content_type = webhook_multipart(webhook_payload(owner.sim, "media.stop", BOB, key, view_offset=n))
        assert webhooks.receive(owner.secret, content_type, body, "203.0.113.9").status == "accepted"
    workers = [subprocess.Popen([sys.executable, "-c", DRAIN], env=os.environ.copy()) for _ in range(2)]
    assert [w.wait(timeout=60) for w in workers] == [0, 0]
    assert count("watch_event") == 300
    assert {(r["status"], r["processed_at"] is not None) for r in rows("webhook_event")} == {("accepted", True)}


def test_rate_limit(client: TestClient, owner: Owner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMARTPLEX_WEBHOOK_RATE", "5/minute")
    reload_settings()
    ratelimit.reset()
    key = movie(owner.sim)
    answers = [
        post(client, owner.url, webhook_payload(owner.sim, "media.pause", OWNER_ACCOUNT, key, view_offset=n))
        for n in range(7)
    ]
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 2
    assert answers[-1].json() == {"error": "too many webhooks"}
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60
    assert count("webhook_event") == 5


def test_leftovers_are_processed_after_a_restart(client: TestClient, owner: Owner) -> None:
    for event in ("media.play", "media.pause", "media.stop"):
        deliver(client, owner, event, OWNER_ACCOUNT, movie(owner.sim))
    dbmod.dispose_engines()
    webhooks.forget_cached()

    async def start_worker() -> None:
        async with webhooks.worker_lifespan():
            for _ in range(100):
                if count("watch_event") == 3:
                    return
                await asyncio.sleep(0.02)

    asyncio.run(start_worker())
    assert [w["event"] for w in rows("watch_event")] == ["play", "pause", "stop"]
    assert all(r["processed_at"] is not None for r in rows("webhook_event"))


def test_worker_wakes_on_accept(owner: Owner) -> None:
    async def scenario() -> float:
        async with webhooks.worker_lifespan():
            await asyncio.sleep(0.05)  # let the startup drain finish and the worker wait
            body, content_type = webhook_multipart(webhook_payload(owner.sim, "media.play", ALICE, movie(owner.sim)))
            transport = httpx.ASGITransport(app=create_api())
            async with httpx.AsyncClient(transport=transport, base_url="http://smartplex") as http:
                sent = asyncio.get_running_loop().time()
                assert (
                    await http.post(owner.url, content=body, headers={"Content-Type": content_type})
                ).status_code == 200
            while count("watch_event") == 0:
                await asyncio.sleep(0.01)
            return asyncio.get_running_loop().time() - sent

    assert asyncio.run(asyncio.wait_for(scenario(), 5)) < webhook_worker.POLL_SECONDS


def test_worker_can_be_disabled(owner: Owner, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMARTPLEX_WEBHOOK_WORKER", "0")
    reload_settings()
    deliver(client, owner, "media.play", OWNER_ACCOUNT, movie(owner.sim))

    async def run() -> None:
        async with webhooks.worker_lifespan():
            await asyncio.sleep(0.2)

    asyncio.run(run())
    assert count("watch_event") == 0 and only_webhook("accepted")["processed_at"] is None


# --------------------------------------------------------------------------- secrets stay secret


def test_secret_never_in_database(client: TestClient, owner: Owner, db_url: str) -> None:
    key = movie(owner.sim)
    deliver(client, owner, "media.play", ALICE, key, thumb=key)
    deliver(client, owner, "media.play", ALICE, key)
    client.post(owner.url, content=b"{", headers={"Content-Type": "application/json"})
    client.post(owner.url + "x", json={"event": "media.play"})
    client.post(owner.url, content=b"x" * (3 * 1024 * 1024), headers={"Content-Type": "application/json"})
    webhooks.process_pending()
    assert count("webhook_event") == 5
    for row in rows("webhook_event") + rows("watch_event"):
        assert owner.secret not in repr(row)
    if db_url.startswith("sqlite"):
        dbmod.dispose_engines()
        path = Path(make_url(db_url).database or "")
        stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))  # with -wal and -shm
        assert owner.secret.encode() not in stored


@pytest.mark.parametrize("server", list(SERVERS))
def test_secret_never_in_logs(owner: Owner, server: str) -> None:
    """Run the API under a real server with its access log on; no line may carry the secret."""
    port = free_port()
    proc = serve_in_subprocess(SERVERS[server](port), port)
    try:
        base = f"http://127.0.0.1:{port}"
        body, content_type = webhook_multipart(webhook_payload(owner.sim, "media.play", ALICE, movie(owner.sim)))
        with httpx.Client(base_url=base) as http:
            assert http.post(owner.url, content=body, headers={"Content-Type": content_type}).status_code == 200
            assert http.post(owner.url, content=b"{", headers={"Content-Type": "application/json"}).status_code == 400
            assert http.get(owner.url).status_code == 405
            # Last: the server may close the connection rather than read the rest of a refused body.
            assert http.post(owner.url + "?q=1", content=b"x" * ((2 << 20) + 1024)).status_code == 413
    finally:
        output = stop(proc)
    assert owner.secret not in output
    lines = [line for line in output.splitlines() if "/api/webhooks/plex/" in line]
    access_lines = [line for line in lines if re.search(r"(GET|POST) /api/webhooks/plex/", line)]
    assert len(access_lines) == 4, output
    assert all("/api/webhooks/plex/[redacted]" in line for line in lines)


def test_openapi_documents_the_route(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    route = spec["paths"]["/api/webhooks/plex/{secret}"]["post"]
    assert route["summary"] == "Receive a Plex webhook" and "Settings → Webhooks" in route["description"]
    assert set(route["requestBody"]["content"]) == {"multipart/form-data", "application/json"}
    assert {"200", "400", "403", "404", "413", "429"} <= set(route["responses"])


def _utc(value: datetime | str) -> datetime:
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@pytest.mark.parametrize(("trusted", "expected"), [(False, "testclient"), (True, "198.51.100.7")])
def test_forwarded_address_only_behind_a_trusted_proxy(
    client: TestClient, owner: Owner, monkeypatch: pytest.MonkeyPatch, trusted: bool, expected: str
) -> None:
    monkeypatch.setenv("SMARTPLEX_TRUST_PROXY", "1" if trusted else "0")
    reload_settings()
    body, content_type = webhook_multipart(webhook_payload(owner.sim, "media.play", OWNER_ACCOUNT, movie(owner.sim)))
    answer = client.post(
        owner.url, content=body, headers={"content-type": content_type, "x-forwarded-for": "10.9.9.9, 198.51.100.7"}
    )
    assert answer.status_code == 200
    assert only_webhook("accepted")["remote_ip"] == expected


def test_deliveries_to_unknown_urls_are_counted_for_the_admin(client: TestClient, owner: Owner) -> None:
    """A wrong URL in Plex is the most common set-up mistake: its deliveries have no owner to show them to, so the
    System page counts the last 24 hours' with the latest source address."""
    assert activity.stray_webhooks() == activity.StrayDeliveries(0, None, None)
    payload = webhook_payload(owner.sim, "media.play", OWNER_ACCOUNT, movie(owner.sim))
    for _ in range(3):
        assert post(client, "/api/webhooks/plex/not-a-secret-anyone-has", payload).status_code == 404
    assert post(client, owner.url, payload).status_code == 200  # the right URL does not count
    with session() as s:  # one from the day before yesterday does not count either
        old = WebhookEvent(status="rejected", reason="unknown webhook URL", remote_ip="198.51.100.1")
        old.received_at = utcnow() - timedelta(hours=25)
        s.add(old)
    stray = activity.stray_webhooks()
    assert (stray.count, stray.last_from) == (3, "testclient")
    assert stray.last_at is not None and datetime.fromisoformat(stray.last_at) > utcnow() - timedelta(minutes=1)
