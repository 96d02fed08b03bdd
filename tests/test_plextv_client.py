"""The plex.tv client against the simulated plex.tv, and against servers that answer badly: each failure becomes a
`PlexTvError` whose message is safe to show and never names the token."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from smartplex import __version__
from smartplex.services.plextv import client as plextv
from smartplex.services.plextv.client import (
    PinExpired,
    PlexTvBadAnswer,
    PlexTvClient,
    PlexTvError,
    PlexTvRateLimited,
    PlexTvRejected,
    PlexTvUnavailable,
)
from smartplex.simulators.plextv import PlexTvSimulator
from smartplex.simulators.server import ThreadedServer
from tests.plex_fixtures import dead_url, silent_server
from tests.plextv_fixtures import fast_client

ALICE = 5129384


@contextlib.contextmanager
def answering(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Iterator[str]:
    """A server that answers every request with this body (and records nothing else)."""
    seen: list[dict[str, str]] = []

    async def endpoint(request: Request) -> Response:
        seen.append(dict(request.headers))
        return Response(body, status_code=status, headers=headers, media_type="application/json")

    app = Starlette(routes=[Route("/{path:path}", endpoint, methods=["GET", "POST"])])
    with ThreadedServer(app) as server:
        yield server.url


def test_pin_flow_headers_and_the_sign_in_page(plextv: PlexTvSimulator, db_url: str) -> None:
    with PlexTvClient() as tv:
        pin = tv.create_pin()
        assert tv.pin_token(pin.id) is None
        page = tv.auth_url(pin.code, "https://smartplex.example/plex-signed-in.html")
        assert plextv.sign_in(pin.code, plextv.accounts[ALICE]) is True
        assert tv.pin_token(pin.id) == plextv.accounts[ALICE].token

    created = plextv.requests[0]
    assert (created.method, created.path) == ("POST", "/api/v2/pins")
    assert plextv.pins[pin.id].code == pin.code and len(pin.code) == 25  # strong=true: the page's kind of code
    headers = created.headers
    assert headers["x-plex-product"] == "SmartPlex" and headers["x-plex-version"] == __version__
    assert headers["x-plex-client-identifier"] == plextv.pins[pin.id].client_id == plextv_client_id()
    assert "x-plex-token" not in headers

    fragment = parse_qs(urlsplit(page).fragment.removeprefix("?"))
    assert page.startswith(f"{plextv.url}/auth#?")
    assert fragment["code"] == [pin.code] and fragment["clientID"] == [plextv_client_id()]
    assert fragment["forwardUrl"] == ["https://smartplex.example/plex-signed-in.html"]
    assert fragment["context[device][product]"] == ["SmartPlex"]


def test_pin_ids_stay_out_of_the_logs(plextv: PlexTvSimulator, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A PIN's id and this installation's identifier are all it takes to fetch the PIN's token from plex.tv."""
    with PlexTvClient() as tv:
        pin = tv.create_pin()
        tv.pin_token(pin.id)
    printed = capsys.readouterr()
    assert "/api/v2/pins/{id}" in printed.out + printed.err
    assert str(pin.id) not in printed.out + printed.err and pin.code not in printed.out + printed.err


def plextv_client_id() -> str:
    return plextv.client_identifier()


def test_the_real_plex_tv_sign_in_page_lives_on_app_plex_tv(db_url: str) -> None:
    with PlexTvClient("https://plex.tv") as tv:
        assert tv.auth_url("abc", "https://x.example/").startswith("https://app.plex.tv/auth#?clientID=")


def test_client_identifier_is_stable_and_per_installation(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from smartplex.config import reload_settings
    from smartplex.services import vault

    first = plextv.client_identifier()
    assert first == plextv.client_identifier() and len(first) == 36
    monkeypatch.setenv("SMARTPLEX_SECRET_KEY", "another installation")
    reload_settings()
    vault.reset()
    try:
        assert plextv.client_identifier() != first
    finally:
        monkeypatch.undo()
        reload_settings()
        vault.reset()


def test_expired_pins_and_pins_of_another_installation_are_gone(plextv: PlexTvSimulator, db_url: str) -> None:
    with PlexTvClient() as tv:
        pin = tv.create_pin()
    with PlexTvClient() as tv:
        tv.identifier = "someone-else"  # plex.tv answers a PIN only to the client that made it
        with pytest.raises(PinExpired):
            tv.pin_token(pin.id)
    plextv.expire_pins()
    with PlexTvClient() as tv, pytest.raises(PinExpired, match="no longer knows"):
        tv.pin_token(pin.id)


def test_rate_limited_with_its_retry_after(plextv: PlexTvSimulator, db_url: str) -> None:
    plextv.faults.status, plextv.faults.retry_after = 429, 42
    with fast_client(plextv) as tv, pytest.raises(PlexTvRateLimited) as caught:
        tv.create_pin()
    assert caught.value.retry_after == 42 and "429" in str(caught.value)
    assert len(plextv.requests) == 1  # a 429 is not retried


@pytest.mark.parametrize(("header", "expected"), [({}, 60), ({"Retry-After": "soon"}, 60), ({"Retry-After": "99999"}, 3600)])
def test_retry_after_missing_garbled_or_huge(header: dict[str, str], expected: int, db_url: str) -> None:
    with answering(b'{"errors":[]}', 429, header) as url, PlexTvClient(url) as tv, pytest.raises(PlexTvRateLimited) as caught:
        tv.create_pin()
    assert caught.value.retry_after == expected


def test_server_errors_are_retried_then_reported(plextv: PlexTvSimulator, db_url: str) -> None:
    plextv.faults.status = 502
    with fast_client(plextv) as tv, pytest.raises(PlexTvUnavailable, match=r"failing \(HTTP 502\)"):
        tv.create_pin()
    assert len(plextv.requests) == 2


def test_a_web_page_instead_of_data(plextv: PlexTvSimulator, plex_sim: object, db_url: str) -> None:
    plextv.faults.maintenance_page = True
    with fast_client(plextv) as tv:
        with pytest.raises(PlexTvBadAnswer, match="web page instead of data"):
            tv.create_pin()
        with pytest.raises(PlexTvBadAnswer, match="web page instead of the list"):
            tv.shared_users(plextv.accounts[ALICE].token)


def test_slow_plex_tv_times_out(plextv: PlexTvSimulator, db_url: str) -> None:
    plextv.faults.delay = 2.0
    started = time.monotonic()
    with fast_client(plextv, read=0.3) as tv, pytest.raises(PlexTvUnavailable, match="not answering"):
        tv.create_pin()
    assert time.monotonic() - started < 1.8


def test_plex_tv_down_or_hanging(db_url: str) -> None:
    with PlexTvClient(dead_url(), backoff=0.0) as tv, pytest.raises(PlexTvUnavailable, match="connection refused"):
        tv.create_pin()
    with silent_server() as url, fast_client_at(url) as tv, pytest.raises(PlexTvUnavailable, match="timeout"):
        tv.create_pin()


def fast_client_at(url: str) -> PlexTvClient:
    return PlexTvClient(url, timeouts=plextv.Timeouts(connect=0.3, read=0.3), attempts=1)


def test_a_refused_token_is_not_repeated_in_the_message(plextv: PlexTvSimulator, db_url: str) -> None:
    secret = "not-a-real-token-12345"
    for call in (lambda tv: tv.account(secret), lambda tv: tv.resources(secret), lambda tv: tv.shared_users(secret)):
        with PlexTvClient() as tv, pytest.raises(PlexTvRejected) as caught:
            call(tv)
        assert secret not in str(caught.value)


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[1, 2]", b'{"id": "x", "code": "abc"}', b'{"id": 5}', b'{"id": -3, "code": "x"}', b"null"],
)
def test_malformed_pins(body: bytes, db_url: str) -> None:
    with answering(body) as url, PlexTvClient(url) as tv, pytest.raises(PlexTvBadAnswer):
        tv.create_pin()


@pytest.mark.parametrize("token", [b"123", b"[]", b'"bad\\u0000token"', b'"' + b"x" * 600 + b'"'])
def test_malformed_pin_tokens(token: bytes, db_url: str) -> None:
    body = b'{"id": 7, "code": "abc", "authToken": ' + token + b"}"
    with answering(body) as url, PlexTvClient(url) as tv, pytest.raises(PlexTvBadAnswer, match="malformed sign-in"):
        tv.pin_token(7)


def test_a_huge_answer_is_refused(db_url: str) -> None:
    huge = b'{"id": 1, "code": "' + b"a" * (plextv.MAX_BODY + 10) + b'"}'
    with answering(huge) as url, PlexTvClient(url) as tv, pytest.raises(PlexTvBadAnswer, match="far larger"):
        tv.create_pin()


def test_redirects_are_not_followed_with_the_token(db_url: str) -> None:
    with answering(b"", 200) as elsewhere:
        with answering(b"", 302, {"Location": f"{elsewhere}/steal"}) as url, PlexTvClient(url) as tv:
            with pytest.raises(PlexTvBadAnswer, match="HTTP 302"):
                tv.account("secret-token")


def test_unicode_and_control_characters_in_accounts(db_url: str) -> None:
    body = orjson.dumps(
        {"id": 42, "uuid": "u", "username": "zoë\x00\x1b", "title": "  千と千尋 🎬 " + "x" * 400, "email": "z@example.com", "thumb": 7}
    )
    with answering(body) as url, PlexTvClient(url) as tv:
        account = tv.account("t")
    assert account.username == "zoë" and account.title.startswith("千と千尋 🎬 x") and len(account.title) == 255
    assert account.thumb == ""


def test_resources_skip_junk_and_keep_servers(db_url: str) -> None:
    body = orjson.dumps(
        [
            "junk",
            {"clientIdentifier": "abc", "provides": "server", "owned": True, "name": "Den"},
            {"clientIdentifier": "phone", "provides": "client,player", "owned": "yes"},
            {"provides": None},
        ]
    )
    with answering(body) as url, PlexTvClient(url) as tv:
        found = tv.resources("t")
    assert [(r.client_identifier, r.is_server, r.owned) for r in found] == [
        ("abc", True, True),
        ("phone", False, False),
        ("", False, False),
    ]
    with answering(b'{"servers": []}') as url, PlexTvClient(url) as tv, pytest.raises(PlexTvBadAnswer):
        tv.resources("t")


def test_shared_users_refuse_entities_and_garbage(db_url: str) -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><MediaContainer><User id="5" title="&x;"/></MediaContainer>'
    with answering(bomb) as url, PlexTvClient(url) as tv, pytest.raises(PlexTvBadAnswer):  # the file is never read
        tv.shared_users("t")
    with answering(b"<MediaContainer><User id=") as url, PlexTvClient(url) as tv, pytest.raises(PlexTvBadAnswer):
        tv.shared_users("t")


def test_every_failure_is_a_plex_tv_error() -> None:
    for kind in (PlexTvUnavailable, PlexTvBadAnswer, PlexTvRejected, PinExpired):
        assert issubclass(kind, PlexTvError)
    assert issubclass(PlexTvRateLimited, PlexTvError)
