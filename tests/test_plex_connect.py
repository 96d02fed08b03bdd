"""Connection racing and the stored preferred connection, against real simulators on 127.0.0.1."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from sqlmodel import select

from smartplex.db import session
from smartplex.models import Integration, Server
from smartplex.services import vault
from smartplex.services.auth import UserView
from smartplex.services.plex import accounts, connect, servers, sync
from smartplex.services.plex.client import PlexAuthError, PlexClient, PlexUnreachable, Timeouts
from smartplex.simulators.plex import PlexSimulator
from tests import factories
from tests.plex_fixtures import ANCHOR, FAST, dead_url, silent_server


@pytest.fixture
def impostor(plex_sim: PlexSimulator) -> Iterator[PlexSimulator]:
    """Another Plex server (different machine identifier) that accepts the same token."""
    sim = PlexSimulator(movies=1, shows=0, now=ANCHOR, token=plex_sim.token, machine_identifier="f" * 40)
    with sim.serve():
        yield sim


def test_race_picks_the_live_url_among_dead_and_silent_ones(plex_sim: PlexSimulator) -> None:
    with silent_server() as silent_a, silent_server() as silent_b:
        began = time.perf_counter()
        won = asyncio.run(
            connect.race(
                [silent_a, dead_url(), silent_b, plex_sim.url + "/"], plex_sim.token, plex_sim.machine_identifier
            )
        )
        elapsed = time.perf_counter() - began
    assert elapsed < 1.0
    assert (won.url, won.ok, won.machine_id) == (plex_sim.url, True, plex_sim.machine_identifier)
    assert (won.name, won.version) == (plex_sim.friendly_name, "1.41.3.9314-a0bfb8370")
    assert 0 <= won.latency_ms < 1000
    assert list(plex_sim.requests) == ["GET /"]


def test_wrong_machine_id_is_rejected(plex_sim: PlexSimulator, impostor: PlexSimulator) -> None:
    won = asyncio.run(connect.race([impostor.url, plex_sim.url], plex_sim.token, plex_sim.machine_identifier))
    assert won.url == plex_sim.url
    with pytest.raises(connect.ConnectError) as caught:
        asyncio.run(connect.race([impostor.url], plex_sim.token, plex_sim.machine_identifier))
    assert caught.value.probes[0].reason == "wrong server"
    assert asyncio.run(connect.race([impostor.url], plex_sim.token)).machine_id == "f" * 40  # nothing expected


def test_all_candidates_fail_with_each_reason_and_no_token(plex_sim: PlexSimulator, impostor: PlexSimulator) -> None:
    refused = dead_url()
    with silent_server() as silent:
        began = time.perf_counter()
        with pytest.raises(connect.ConnectError) as caught:
            asyncio.run(
                connect.race(
                    [refused, silent, impostor.url, plex_sim.url, "ftp://nas.local"],
                    "not-the-token",
                    plex_sim.machine_identifier,
                    total_timeout=0.5,
                )
            )
        assert time.perf_counter() - began < 2
    reasons = {p.url: p.reason for p in caught.value.probes}
    assert reasons[refused] == "refused"
    assert reasons[silent] == "timeout"
    assert reasons[impostor.url] == "token rejected" and reasons[plex_sim.url] == "token rejected"
    assert reasons["ftp://nas.local"].startswith("invalid address")
    message = str(caught.value)
    assert message.startswith("Plex unreachable: ") and f"{refused} (refused)" in message
    assert f"{silent} (timeout)" in message and "not-the-token" not in message


def test_probe_all_reports_every_candidate(plex_sim: PlexSimulator, impostor: PlexSimulator) -> None:
    refused = dead_url()
    probes = asyncio.run(
        connect.probe_all([plex_sim.url, impostor.url, refused], plex_sim.token, plex_sim.machine_identifier)
    )
    assert [(p.url, p.ok, p.reason) for p in probes] == [
        (plex_sim.url, True, ""),
        (impostor.url, False, "wrong server"),
        (refused, False, "refused"),
    ]
    assert probes[0].as_dict()["name"] == plex_sim.friendly_name


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("192.168.1.10:32400", "http://192.168.1.10:32400"),
        ("HTTPS://plex.example.com/", "https://plex.example.com"),
        ("http://10.0.0.2:32400/?X-Plex-Token=abc#x", "http://10.0.0.2:32400"),
        ("http://user:pw@host:32400/plex/", "http://host:32400/plex"),
        ("  http://[fe80::1]:32400  ", "http://[fe80::1]:32400"),
    ],
)
def test_normalize_url(raw: str, normal: str) -> None:
    assert connect.normalize_url(raw) == normal


@pytest.mark.parametrize(
    "raw", ["ftp://host", "file:///etc/passwd", "javascript:alert(1)", "http://", "http://host:port"]
)
def test_normalize_url_rejects(raw: str) -> None:
    with pytest.raises(ValueError):
        connect.normalize_url(raw)


def test_client_sends_the_token_only_as_a_header(plex_sim: PlexSimulator) -> None:
    with PlexClient(plex_sim.url, plex_sim.token) as client:
        assert client.get_xml("/library/sections").get("size") == "2"
    assert list(plex_sim.requests) == ["GET /library/sections"]
    with PlexClient(plex_sim.url, "wrong") as client, pytest.raises(PlexAuthError, match="Plex rejected the token"):
        client.get("/library/sections")
    assert len(plex_sim.requests) == 2  # a rejected token is not retried


def test_transient_errors_are_retried_then_reported_without_the_token(plex_sim: PlexSimulator) -> None:
    plex_sim.faults.status, plex_sim.faults.times = 503, 2
    with PlexClient(plex_sim.url, plex_sim.token, backoff=0.01) as client:
        assert client.get_xml("/library/sections") is not None
    assert len(plex_sim.requests) == 3
    plex_sim.faults.reset()
    plex_sim.faults.drop = True
    with PlexClient(plex_sim.url, plex_sim.token, backoff=0.01) as client, pytest.raises(PlexUnreachable) as caught:
        client.get("/library/sections", "type=1")
    assert str(caught.value) == f"Plex unreachable: connection dropped ({plex_sim.url}/library/sections)"
    assert len(plex_sim.requests) == 6
    plex_sim.faults.reset()
    plex_sim.faults.hang = True
    short = PlexClient(plex_sim.url, plex_sim.token, timeouts=Timeouts(read=0.2), attempts=2, backoff=0.01)
    with short, pytest.raises(PlexUnreachable, match="timeout"):
        short.get("/identity")


def test_stored_server_uses_the_preferred_url_with_no_extra_round_trip(
    admin: UserView, plex_sim: PlexSimulator
) -> None:
    server_id = factories.simulated_server(admin.id, plex_sim, urls=[dead_url(), plex_sim.url], preferred=plex_sim.url)
    assert connect.connection(server_id) == (plex_sim.url, plex_sim.token)
    found = accounts.plex_accounts(server_id)
    assert [a.name for a in found][:2] == ["PlexOwner", "Kids"]
    assert list(plex_sim.requests) == ["GET /accounts"]  # no probe, no identity check


def test_re_race_when_the_preferred_url_dies(admin: UserView, plex_sim: PlexSimulator) -> None:
    gone = dead_url()
    server_id = factories.simulated_server(admin.id, plex_sim, urls=[gone, plex_sim.url], preferred=gone)
    assert len(accounts.plex_accounts(server_id)) == len(plex_sim.accounts)
    assert list(plex_sim.requests) == ["GET /", "GET /accounts"]  # the race, then the retried request
    stored = servers.get_server(server_id)
    assert stored is not None and stored.preferred_connection_url == plex_sim.url
    plex_sim.requests.clear()
    accounts.plex_accounts(server_id)
    assert list(plex_sim.requests) == ["GET /accounts"]


def test_re_race_failure_lists_the_candidates(admin: UserView, plex_sim: PlexSimulator) -> None:
    gone, also_gone = dead_url(), dead_url()
    server_id = factories.simulated_server(admin.id, plex_sim, urls=[gone, also_gone])
    with pytest.raises(connect.ConnectError, match=r"refused.*refused") as caught:
        accounts.plex_accounts(server_id)
    assert plex_sim.token not in str(caught.value)
    stored = servers.get_server(server_id)
    assert stored is not None and stored.preferred_connection_url == gone


# --------------------------------------------------------------------------- a stored address that hangs


@pytest.mark.slow
def test_a_silent_stored_address_is_replaced_within_seconds(admin: UserView, plex_sim: PlexSimulator) -> None:
    """The stored address accepts connections and never answers: the sync re-races after a short wait (not
    attempts x the 30 s read timeout), says so in its progress, and finishes on the live address."""
    with silent_server() as silent:
        server_id = factories.simulated_server(admin.id, plex_sim, urls=[silent, plex_sim.url], preferred=silent)
        seen: list[sync.SyncProgress] = []
        began = time.perf_counter()
        result = sync.run_sync(server_id, "full", progress=seen.append)
        took = time.perf_counter() - began
    assert result.status == "succeeded" and took < 10, (result, took)
    messages = [p.message for p in seen if p.phase == "connecting"]
    assert messages[0] == f"Plex is not answering at {silent}; trying the other addresses"
    assert messages[-1] == f"Connected at {plex_sim.url}"
    stored = servers.get_server(server_id)
    assert stored is not None and stored.preferred_connection_url == plex_sim.url


@pytest.mark.slow
def test_every_address_silent_reports_unreachable_within_fifteen_seconds(admin: UserView) -> None:
    with silent_server() as first, silent_server() as second:
        server_id = factories.server(admin.id, urls=[first, second])
        began = time.perf_counter()
        result = sync.run_sync(server_id, "full")
        took = time.perf_counter() - began
    assert result.status == "failed" and took < 15, (result, took)
    assert result.error == f"Plex unreachable: no address answered as the server: {first} (timeout); {second} (timeout)"
    assert servers.get_server(server_id).unreachable_since is not None  # type: ignore[union-attr]


def test_a_rejected_token_is_not_unreachable(admin: UserView, plex_sim: PlexSimulator) -> None:
    server_id = factories.simulated_server(admin.id, plex_sim)
    with session() as s:  # the token stored for the server has been revoked on Plex
        s.get(Server, server_id).token_encrypted = vault.encrypt("revoked-token")  # type: ignore[union-attr]
    result = sync.run_sync(server_id, "full", options=FAST)
    assert (result.status, result.error) == ("failed", "Plex rejected the token")
    assert list(plex_sim.requests) == ["GET /library/sections"]  # answered, so no re-race and no retry
    assert servers.get_server(server_id).unreachable_since is None  # type: ignore[union-attr]
    with session() as s:
        row = s.exec(select(Integration).where(Integration.server_id == server_id)).one()
        assert (row.health_status, row.last_error) == ("rejected", "Plex rejected the token")
