"""Services answering badly, for the integration probes (registered through conftest's `pytest_plugins`): a page
of HTML where an API should be, and an HTTPS server whose certificate nobody trusts."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from smartplex.simulators.plex import PlexSimulator
from smartplex.simulators.server import ThreadedServer
from smartplex.simulators.tautulli import TautulliSimulator

LOGIN_PAGE = "<!doctype html><html><head><title>Sign in</title></head><body><form>…</form></body></html>"


def _login_page(_request: object) -> HTMLResponse:
    return HTMLResponse(LOGIN_PAGE)


@pytest.fixture
def html_server() -> Iterator[str]:
    """A reverse proxy's sign-in page at every path (the usual wrong address)."""
    app = Starlette(routes=[Route("/{path:path}", _login_page, methods=["GET", "POST"])])
    with ThreadedServer(app) as server:
        yield server.url


def _self_signed(folder: Path) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))  # fmt: skip
    return str(cert_file), str(key_file)


def _anything(_request: object) -> JSONResponse:
    return JSONResponse({"response": {"result": "success", "data": {}}})


@pytest.fixture
def untrusted_tls_server(tmp_path: Path) -> Iterator[str]:
    """An https:// address with a self-signed certificate: every client that checks certificates refuses it."""
    app = Starlette(routes=[Route("/{path:path}", _anything, methods=["GET", "POST"])])
    with ThreadedServer(app, tls=_self_signed(tmp_path)) as server:
        yield server.url


@pytest.fixture
def tautulli_sim(plex_sim: PlexSimulator) -> Iterator[tuple[TautulliSimulator, str]]:
    """A Tautulli watching the Plex simulator's server (its plays as history) on 127.0.0.1, and its address."""
    sim = TautulliSimulator.watching(plex_sim, plex_sim.machine_identifier)
    with sim.serve() as server:
        yield sim, server.url
        sim.faults.reset()
