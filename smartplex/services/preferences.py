"""Settings the admin changes in the app, stored in `app_setting` as JSON text. The environment wins: a value
it sets is shown in the app but cannot be changed there.

The first is SmartPlex's public address: the base of the URLs other machines call (Plex's webhooks) and that
people open from elsewhere (invite links). Without it they are built from the address in the admin's browser,
which is `http://localhost:3000` after `make run` and unreachable from a Plex server on another machine.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

import orjson

from smartplex.config import get_settings
from smartplex.db import session
from smartplex.models import AppSetting, utcnow
from smartplex.services import auth

PUBLIC_URL = "public_url"
PLEX_WEB_URL = "plex_web_url"


class PreferenceError(ValueError):
    """A value cannot be stored as given; the message is safe to show."""


def get(key: str, default: Any = None) -> Any:
    with session() as s:
        row = s.get(AppSetting, key)
    return default if row is None else orjson.loads(row.value)


def put(actor_id: int, key: str, value: Any) -> None:
    """Store a setting (admins only); None removes it."""
    with session() as s:
        auth.require_admin(s, actor_id)
        row = s.get(AppSetting, key)
        if value is None:
            if row is not None:
                s.delete(row)
            return
        if row is None:
            row = AppSetting(key=key, value="")
        row.value, row.updated_at, row.updated_by = orjson.dumps(value).decode(), utcnow(), actor_id
        s.add(row)


# --------------------------------------------------------------------------- the public address


def public_url_from_environment() -> str | None:
    return get_settings().public_url


def public_url() -> str | None:
    """SMARTPLEX_PUBLIC_URL, else the address the admin set in the app, else None (use the browser's)."""
    return public_url_from_environment() or get(PUBLIC_URL)


def set_public_url(actor_id: int, raw: str) -> str | None:
    """Store the public address (empty clears it); returns it normalised. Refused while the environment sets one."""
    if public_url_from_environment():
        raise PreferenceError("SMARTPLEX_PUBLIC_URL sets the public address; change it there.")
    text = raw.strip()
    url = normalize_public_url(text) if text else None
    put(actor_id, PUBLIC_URL, url)
    return url


# --------------------------------------------------------------------------- where "Play in Plex" goes


def plex_web_url() -> str | None:
    """The Plex server's own web address that "Play in Plex" links open (None: app.plex.tv)."""
    return get(PLEX_WEB_URL)


def set_plex_web_url(actor_id: int, raw: str) -> str | None:
    """Store the server's own web address for play links (empty: back to app.plex.tv); returns it normalised."""
    text = raw.strip()
    url = normalize_public_url(text) if text else None
    if url is not None and url.endswith("/web"):
        url = url.removesuffix("/web")  # people paste the address they open Plex Web at
    put(actor_id, PLEX_WEB_URL, url)
    return url


def normalize_public_url(text: str) -> str:
    """`scheme://host[:port][/path]` without a trailing slash; anything else is refused with a reason."""
    if len(text) > 512:
        raise PreferenceError("Use at most 512 characters.")
    parts = urlsplit(text if "://" in text else f"https://{text}")
    if parts.scheme not in ("http", "https"):
        raise PreferenceError("Start the address with http:// or https://.")
    try:
        port = parts.port
    except ValueError:
        raise PreferenceError("The port is not a number.") from None
    if not parts.hostname:
        raise PreferenceError("Enter a host name, like smartplex.example.com.")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise PreferenceError("Leave out user names, passwords, ?queries and #fragments.")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}{f':{port}' if port else ''}{parts.path.rstrip('/')}"


def is_loopback(url: str) -> bool:
    """Whether the address names this machine only (localhost, 127.0.0.0/8, ::1, 0.0.0.0)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified
