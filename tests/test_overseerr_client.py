"""The Seerr client: every request it sends validates against Seerr's published spec (a Prism mock of it), query
values are percent-encoded, reads are retried and writes never, and every fault becomes a clear error."""

from __future__ import annotations

import time

import httpx
import pytest

from smartplex.services.overseerr import wire
from smartplex.services.overseerr.client import (
    OverseerrBadAnswer,
    OverseerrClient,
    OverseerrError,
    OverseerrRefused,
    OverseerrRejected,
    OverseerrUnreachable,
    Timeouts,
    encode_query,
)
from smartplex.simulators.overseerr import OverseerrSimulator
from tests.plex_fixtures import dead_url
from tests.prism import PrismMock

FAST = Timeouts(connect=0.5, read=0.5)


def test_every_request_the_client_sends_validates_against_the_spec(overseerr_mock: PrismMock) -> None:
    overseerr_mock.clear()
    client = OverseerrClient(overseerr_mock.base_url, "an-api-key", attempts=1)
    calls = [
        lambda: client.status(),
        lambda: client.me(),
        lambda: client.me(as_user=7),
        lambda: client.search("Face/Off & friends: 100% + more?#", page=2, as_user=7),
        lambda: client.search("千と千尋の神隠し"),
        lambda: client.details("movie", 754, as_user=7),
        lambda: client.details("tv", 1396),
        lambda: client.users(take=100, skip=100),
        lambda: client.requests(take=50, skip=0, status_filter="pending", sort="modified"),
        lambda: client.request(12),
        lambda: client.create_request("movie", 754, as_user=7),
        lambda: client.create_request("tv", 1396, [1, 2], tvdb_id=81189, as_user=7),
        lambda: client.delete_request(12, as_user=7),
        lambda: client.set_status(12, "approve"),
        lambda: client.set_status(12, "decline"),
    ]
    for call in calls:
        try:
            call()
        except (OverseerrBadAnswer, OverseerrUnreachable):
            pass  # Prism's answers come from the spec's examples (some it cannot build); what we sent is checked
    assert overseerr_mock.violations() == []
    requests = [line for line in overseerr_mock._lines if "Request received" in line]
    assert len(requests) >= len(calls)


def test_the_spec_check_catches_what_seerr_would_refuse(overseerr_mock: PrismMock) -> None:
    """The check can fail: a request without the key, and one with a non-number page, are reported."""
    overseerr_mock.clear()
    with pytest.raises(OverseerrError):
        OverseerrClient(overseerr_mock.base_url, "", attempts=1).search("dune")
    assert any("security" in v for v in overseerr_mock.violations())


@pytest.mark.parametrize(
    ("query", "encoded"),
    [
        ("Face/Off", "Face%2FOff"),
        ("the matrix", "the%20matrix"),
        ("1+1", "1%2B1"),
        ("Tom & Jerry", "Tom%20%26%20Jerry"),
        ("Amélie", "Am%C3%A9lie"),
        ("what?#!*'()", "what%3F%23%21%2A%27%28%29"),
    ],
)
def test_query_values_are_percent_encoded(query: str, encoded: str) -> None:
    assert encode_query({"query": query, "page": 1}) == f"query={encoded}&page=1"


def test_seerr_refuses_what_a_naive_client_sends_and_takes_ours(seerr_sim: OverseerrSimulator) -> None:
    raw = httpx.get(f"{seerr_sim.url}/api/v1/search?query=Face/Off+x&page=1", headers={"X-Api-Key": seerr_sim.api_key})
    assert raw.status_code == 400 and "reserved characters" in raw.json()["message"]
    unknown = httpx.get(f"{seerr_sim.url}/api/v1/search?query=x&sort=new", headers={"X-Api-Key": seerr_sim.api_key})
    assert unknown.status_code == 400 and "Unknown query parameter" in unknown.json()["message"]
    client = OverseerrClient(seerr_sim.url, seerr_sim.api_key)
    assert [t.title for t in wire.titles(client.search("Face/Off"))] == ["Face/Off"]


def test_reads_are_retried_and_writes_are_not(seerr_sim: OverseerrSimulator) -> None:
    client = OverseerrClient(seerr_sim.url, seerr_sim.api_key, backoff=0.01)
    seerr_sim.faults.status, seerr_sim.faults.times = 500, 2
    assert client.status()["version"]
    assert len(seerr_sim.seen) == 3
    seerr_sim.faults.status, seerr_sim.faults.times = 500, 1
    with pytest.raises(OverseerrUnreachable, match="HTTP 500"):
        client.create_request("movie", 754, as_user=1)
    assert [s.split()[0] for s in seerr_sim.seen].count("POST") == 1 and seerr_sim.requests == {}


def test_credentials_and_refusals_are_told_apart(seerr_sim: OverseerrSimulator) -> None:
    with pytest.raises(OverseerrRejected, match="rejected the API key"):
        OverseerrClient(seerr_sim.url, "").search("dune")
    with pytest.raises(OverseerrRejected):
        OverseerrClient(seerr_sim.url, "wrong").search("dune")
    with pytest.raises(OverseerrRejected, match="linked Seerr user"):
        OverseerrClient(seerr_sim.url, seerr_sim.api_key).search("dune", as_user=999)
    user = seerr_sim.add_user("viewer", "viewer@example.com", permissions=0)
    with pytest.raises(OverseerrRefused, match="may not make this request") as refused:
        OverseerrClient(seerr_sim.url, seerr_sim.api_key).create_request("movie", 754, as_user=user.id)
    assert refused.value.status == 403 and "permission" in refused.value.detail


def test_malformed_answers_and_dead_or_hung_servers_are_clear_errors(seerr_sim: OverseerrSimulator) -> None:
    seerr_sim.malformed = True
    with pytest.raises(OverseerrBadAnswer, match="not JSON"):
        OverseerrClient(seerr_sim.url, seerr_sim.api_key).search("dune")
    seerr_sim.malformed = False
    seerr_sim.faults.drop = True
    with pytest.raises(OverseerrBadAnswer):
        OverseerrClient(seerr_sim.url, seerr_sim.api_key, attempts=1).search("dune")
    seerr_sim.faults.reset()
    with pytest.raises(OverseerrUnreachable, match="connection refused"):
        OverseerrClient(dead_url(), "k", backoff=0.01).status()
    seerr_sim.faults.hang = True
    began = time.monotonic()
    with pytest.raises(OverseerrUnreachable, match="timeout"):
        OverseerrClient(seerr_sim.url, seerr_sim.api_key, timeouts=FAST, attempts=2, backoff=0.01).status()
    assert time.monotonic() - began < 3
