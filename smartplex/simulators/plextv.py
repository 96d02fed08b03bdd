"""A plex.tv simulator: Plex's account service as SmartPlex uses it, a real HTTP server on 127.0.0.1.

It speaks the wire formats of plex.tv's API: PINs (`POST /api/v2/pins`, `GET /api/v2/pins/{id}`, answered only to
the client identifier that made them, 404 once expired), the account behind a token (`GET /api/v2/user`), the
servers a token may use (`GET /api/v2/resources`), a server owner's shared users (`GET /api/users/`, XML), and the
sign-in page (`/auth#?clientID=…&code=…&forwardUrl=…`) where a person picks an account, which links the PIN and
redirects to the forward URL. Tokens are random per simulator, so no file holds one.

    tv = PlexTvSimulator.for_plex(plex_sim)          # the PMS simulator's owner and shared users
    outsider = tv.add_account("mallory")              # an account without access
    with tv.serve():
        ...                                           # point SMARTPLEX_PLEX_TV_URL at tv.url

Faults (`tv.faults`): a status for every API answer (429 with Retry-After, 5xx as a proxy's web page), a
maintenance web page instead of data, and a delay before answering.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import secrets
import string
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from smartplex.simulators.server import Served

if TYPE_CHECKING:
    from smartplex.simulators.plex import PlexSimulator

JSON_TYPE = "application/json"
XML_TYPE = "application/xml"
STRONG_PIN_SECONDS = 1800
PIN_SECONDS = 900


@dataclass
class TvAccount:
    id: int
    username: str
    title: str
    email: str
    token: str
    uuid: str
    home: bool = False

    @property
    def thumb(self) -> str:
        return f"https://plex.tv/users/{self.uuid[:16]}/avatar"


@dataclass
class TvServer:
    machine_id: str
    name: str
    owner_id: int
    shared_with: set[int] = field(default_factory=set)


@dataclass
class TvPin:
    id: int
    code: str
    client_id: str
    product: str
    expires_at: float
    token: str | None = None


@dataclass
class Faults:
    """Injected failures for the API paths (the sign-in page keeps working)."""

    status: int | None = None  # answer every API request with this status
    retry_after: int = 30  # Retry-After of a 429
    maintenance_page: bool = False  # answer 200 with a web page instead of data
    delay: float = 0.0  # seconds before answering

    def reset(self) -> None:
        self.status, self.retry_after, self.maintenance_page, self.delay = None, 30, False, 0.0


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]


def _errors(status: int, code: int, message: str) -> Response:
    body = orjson.dumps({"errors": [{"code": code, "message": message, "status": status}]})
    return Response(body, status_code=status, media_type=JSON_TYPE)


def _web_page(status: int, title: str) -> HTMLResponse:
    return HTMLResponse(
        f"<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>", status
    )


class PlexTvSimulator(Served):
    def __init__(self) -> None:
        self.accounts: dict[int, TvAccount] = {}
        self.servers: dict[str, TvServer] = {}
        self.pins: dict[int, TvPin] = {}
        self.faults = Faults()
        self.requests: deque[Recorded] = deque(maxlen=1000)
        self._ids = itertools.count(50_000_001)
        self._pin_ids = itertools.count(7_000_001)
        self.app = Starlette(routes=self._routes())

    # ----- building the world

    def add_account(
        self, username: str, *, id: int | None = None, title: str | None = None, email: str | None = None,
        token: str | None = None, home: bool = False,
    ) -> TvAccount:  # fmt: skip
        account_id = id or next(self._ids)
        account = TvAccount(
            id=account_id,
            username="" if home else username,
            title=title or username,
            email="" if home else (email if email is not None else f"{username}@example.com"),
            token=token or secrets.token_urlsafe(15),
            uuid=uuid.uuid4().hex,
            home=home,
        )
        self.accounts[account_id] = account
        return account

    def add_server(self, machine_id: str, name: str, owner: TvAccount) -> TvServer:
        server = TvServer(machine_id, name, owner.id)
        self.servers[machine_id] = server
        return server

    def share(self, machine_id: str, *accounts: TvAccount) -> None:
        self.servers[machine_id].shared_with.update(a.id for a in accounts)

    def unshare(self, machine_id: str, *accounts: TvAccount) -> None:
        self.servers[machine_id].shared_with.difference_update(a.id for a in accounts)

    @classmethod
    def for_plex(cls, plex: PlexSimulator) -> PlexTvSimulator:
        """The PMS simulator's world: its owner (whose plex.tv token is the server's token) and every other account
        of the server as a user it is shared with; "Kids" is a managed Plex Home user."""
        tv = cls()
        owner_account = plex.account(1)
        owner = tv.add_account(owner_account.name, id=owner_account.plex_id, token=plex.token)
        tv.add_server(plex.machine_identifier, plex.friendly_name, owner)
        for account in plex.accounts:
            if account.id != 1:
                tv.share(
                    plex.machine_identifier, tv.add_account(account.name, id=account.id, home=account.name == "Kids")
                )
        return tv

    def sign_in(self, code: str, account: TvAccount) -> bool:
        """What plex.tv's page does when the person signs in: link the PIN with this code to the account."""
        pin = next((p for p in self.pins.values() if p.code == code and p.expires_at > time.time()), None)
        if pin is None:
            return False
        pin.token = account.token
        return True

    def expire_pins(self) -> None:
        for pin in self.pins.values():
            pin.expires_at = 0.0

    # ----- serving

    def _routes(self) -> list[Route]:
        return [
            Route("/api/v2/pins", self._api(self._create_pin), methods=["POST"]),
            Route("/api/v2/pins/{pin_id:int}", self._api(self._check_pin)),
            Route("/api/v2/user", self._api(self._user)),
            Route("/api/v2/resources", self._api(self._resources)),
            Route("/api/users/", self._api(self._users)),
            Route("/api/users", self._api(self._users)),
            Route("/auth", self._auth_page),
            Route("/auth/sign-in", self._auth_sign_in, methods=["POST"]),
        ]

    def _api(self, handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            self.requests.append(Recorded(request.method, request.url.path, dict(request.headers)))
            if self.faults.delay:
                await asyncio.sleep(self.faults.delay)
            status = self.faults.status
            if status == 429:
                response = _errors(429, 1003, "Too many requests")
                response.headers["Retry-After"] = str(self.faults.retry_after)
                return response
            if status is not None:
                return _web_page(status, f"{status} Bad Gateway" if status >= 500 else f"Error {status}")
            if self.faults.maintenance_page:
                return _web_page(200, "Plex is down for maintenance")
            return await handler(request)

        return endpoint

    def _account(self, request: Request) -> TvAccount | None:
        token = request.headers.get("X-Plex-Token") or request.query_params.get("X-Plex-Token")
        return next((a for a in self.accounts.values() if token and secrets.compare_digest(a.token, token)), None)

    # ----- PINs

    async def _create_pin(self, request: Request) -> Response:
        client_id = request.headers.get("X-Plex-Client-Identifier", "")
        if not client_id:
            return _errors(400, 1000, "X-Plex-Client-Identifier is missing")
        strong = request.query_params.get("strong", "").lower() in ("true", "1")
        alphabet = string.ascii_lowercase + string.digits if strong else string.ascii_uppercase + string.digits
        code = "".join(secrets.choice(alphabet) for _ in range(25 if strong else 4))
        lifetime = STRONG_PIN_SECONDS if strong else PIN_SECONDS
        pin = TvPin(
            next(self._pin_ids), code, client_id, request.headers.get("X-Plex-Product", ""), time.time() + lifetime
        )
        self.pins[pin.id] = pin
        return Response(orjson.dumps(self._pin_json(pin)), status_code=201, media_type=JSON_TYPE)

    async def _check_pin(self, request: Request) -> Response:
        pin = self.pins.get(request.path_params["pin_id"])
        client_id = request.headers.get("X-Plex-Client-Identifier", "")
        if pin is None or pin.expires_at <= time.time() or not secrets.compare_digest(pin.client_id, client_id):
            return _errors(404, 1020, "Code not found or expired")
        return Response(orjson.dumps(self._pin_json(pin)), media_type=JSON_TYPE)

    @staticmethod
    def _pin_json(pin: TvPin) -> dict[str, Any]:
        now = time.time()
        return {
            "id": pin.id,
            "code": pin.code,
            "product": pin.product,
            "trusted": False,
            "qr": f"https://plex.tv/api/v2/pins/qr/{pin.code}",
            "clientIdentifier": pin.client_id,
            "location": {"code": "US", "country": "United States", "subdivisions": "", "coordinates": "0, 0"},
            "expiresIn": max(int(pin.expires_at - now), 0),
            "createdAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
            "expiresAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(pin.expires_at)),
            "authToken": pin.token,
            "newRegistration": None,
        }

    # ----- accounts and servers

    async def _user(self, request: Request) -> Response:
        account = self._account(request)
        if account is None:
            return _errors(401, 1001, "User could not be authenticated")
        body = {
            "id": account.id,
            "uuid": account.uuid,
            "username": account.username,
            "title": account.title,
            "email": account.email,
            "friendlyName": "",
            "locale": None,
            "confirmed": True,
            "joinedAt": 1_600_000_000,
            "emailOnlyAuth": False,
            "hasPassword": not account.home,
            "protected": False,
            "thumb": account.thumb,
            "authToken": account.token,
            "restricted": account.home,
            "home": account.home,
            "guest": False,
            "homeAdmin": False,
            "subscription": {"active": False, "status": "Inactive", "plan": None, "features": []},
            "roles": [],
            "entitlements": [],
        }
        return Response(orjson.dumps(body), media_type=JSON_TYPE)

    async def _resources(self, request: Request) -> Response:
        account = self._account(request)
        if account is None:
            return _errors(401, 1001, "User could not be authenticated")
        devices: list[dict[str, Any]] = [
            {  # the person's own phone: a client, not a server
                "name": f"{account.title}'s iPhone",
                "product": "Plex for iOS",
                "provides": "client,player",
                "clientIdentifier": f"phone-{account.id}",
                "owned": True,
                "ownerId": None,
                "sourceTitle": None,
                "accessToken": account.token,
                "connections": [],
            }  # fmt: skip
        ]
        for server in self.servers.values():
            owned = server.owner_id == account.id
            if owned or account.id in server.shared_with:
                owner = self.accounts[server.owner_id]
                devices.append(
                    {
                        "name": server.name,
                        "product": "Plex Media Server",
                        "productVersion": "1.41.3.9314",
                        "platform": "Linux",
                        "device": "PC",
                        "provides": "server",
                        "clientIdentifier": server.machine_id,
                        "owned": owned,
                        "ownerId": None if owned else owner.id,
                        "sourceTitle": None if owned else owner.username,
                        "accessToken": account.token if owned else secrets.token_hex(10),
                        "home": False,
                        "presence": True,
                        "httpsRequired": False,
                        "relay": True,
                        "publicAddressMatches": False,
                        "connections": [
                            {
                                "protocol": "http",
                                "address": "127.0.0.1",
                                "port": 32400,
                                "uri": "http://127.0.0.1:32400",
                                "local": True,
                                "relay": False,
                                "IPv6": False,
                            }
                        ],
                    }  # fmt: skip
                )
        return Response(orjson.dumps(devices), media_type=JSON_TYPE)

    async def _users(self, request: Request) -> Response:
        owner = self._account(request)
        if owner is None:
            return _web_page(401, "401 Unauthorized")
        owned = [s for s in self.servers.values() if s.owner_id == owner.id]
        people = sorted({a for s in owned for a in s.shared_with})
        parts = [f'<MediaContainer friendlyName="myPlex" identifier="com.plexapp.plugins.myplex" size="{len(people)}">']
        for account_id in people:
            person = self.accounts[account_id]
            attrs = {
                "id": person.id, "title": person.title, "username": person.username, "email": person.email,
                "thumb": person.thumb, "protected": "0", "home": "1" if person.home else "0",
                "restricted": "1" if person.home else "0", "allowSync": "0", "filterAll": "",
            }  # fmt: skip
            parts.append(f"<User {_attrs(attrs)}>")
            for number, server in enumerate(s for s in owned if account_id in s.shared_with):
                shared = {
                    "id": 900 + number, "serverId": 400 + number, "machineIdentifier": server.machine_id,
                    "name": server.name, "lastSeenAt": 1_700_000_000, "numLibraries": 2, "allLibraries": "1",
                    "owned": "1", "pending": "0",
                }  # fmt: skip
                parts.append(f"<Server {_attrs(shared)}/>")
            parts.append("</User>")
        parts.append("</MediaContainer>")
        return Response("".join(parts).encode(), media_type=XML_TYPE)

    # ----- the sign-in page

    async def _auth_page(self, request: Request) -> HTMLResponse:
        buttons = "".join(
            f'<button type="submit" name="account" value="{a.id}" id="plex-account-{a.id}">{html.escape(a.title)}</button>'
            for a in self.accounts.values()
        )
        return HTMLResponse(AUTH_PAGE.replace("{buttons}", buttons))

    async def _auth_sign_in(self, request: Request) -> Response:
        form = await request.form()
        account = self.accounts.get(int(str(form.get("account") or 0)))
        code, forward = str(form.get("code") or ""), str(form.get("forwardUrl") or "")
        if account is None or not self.sign_in(code, account):
            return _web_page(400, "This sign-in link expired. Go back and try again.")
        if forward.startswith(("http://", "https://")):
            return RedirectResponse(forward, status_code=303)
        return _web_page(200, "Signed in. You can close this window.")


def _attrs(values: dict[str, Any]) -> str:
    return " ".join(f'{key}="{html.escape(str(value), quote=True)}"' for key, value in values.items())


AUTH_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Plex</title><meta name="viewport" content="width=device-width">
<style>body{font-family:system-ui,sans-serif;background:#1f1f1f;color:#eee;display:flex;justify-content:center;
padding:40px 16px}main{max-width:360px;width:100%}h1{font-size:20px}button{display:block;width:100%;margin:8px 0;
padding:12px;border:0;border-radius:6px;background:#e5a00d;color:#111;font-size:16px;cursor:pointer}</style></head>
<body><main><h1>Sign in to Plex</h1><p id="product">An app wants to use your Plex account.</p>
<form method="post" action="/auth/sign-in" id="sign-in">
<input type="hidden" name="code" id="code"><input type="hidden" name="forwardUrl" id="forwardUrl">
<p>Continue as:</p>{buttons}</form></main>
<script>
const params = new URLSearchParams(location.hash.replace(/^#\\??/, ""));
document.getElementById("code").value = params.get("code") || "";
document.getElementById("forwardUrl").value = params.get("forwardUrl") || "";
const product = params.get("context[device][product]");
if (product) document.getElementById("product").textContent = product + " wants to use your Plex account.";
</script></body></html>"""
