"""Plex webhooks as PMS sends them: a multipart POST with a `payload` JSON part and, for poster events, a `thumb` JPEG.

`webhook_payload` builds the JSON object from a simulator's item and account, `webhook_multipart` encodes
it (benchmarks precompute bodies with it), and `fire_webhook` POSTs it with httpx.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

import httpx
import orjson

from smartplex.simulators.plex import PlexSimulator, item_detail_el, item_jpeg, to_json

EVENTS = frozenset({
    "library.on.deck", "library.new", "media.pause", "media.play", "media.rate", "media.resume", "media.scrobble",
    "media.stop", "admin.database.backup", "admin.database.corrupted", "device.new", "playback.started",
})  # fmt: skip
POSTER_EVENTS = frozenset({"media.play", "media.rate", "library.new", "library.on.deck", "playback.started"})
NO_METADATA_EVENTS = frozenset({"admin.database.backup", "admin.database.corrupted", "device.new"})
NO_PLAYER_EVENTS = NO_METADATA_EVENTS | {"library.new", "library.on.deck"}
VIEW_OFFSET_SHARE = {
    "media.play": 0.0,
    "playback.started": 0.0,
    "media.pause": 0.4,
    "media.resume": 0.4,
    "media.stop": 0.6,
    "media.scrobble": 0.92,
}


def webhook_payload(
    sim: PlexSimulator,
    event: str,
    account_id: int,
    rating_key: int | str | None = None,
    *,
    rating: float | None = None,
    view_offset: int | None = None,
    user: bool | None = None,
    now: int | None = None,
) -> dict[str, Any]:
    """The webhook JSON object for `event` by `account_id` on item `rating_key`.

    `account_id` may be the server-local id (1 = owner) or the owner's plex.tv id; `Account.id` carries it as given.
    `user` defaults to "the acting account is the owner" (the owner's own webhook); `owner` is always true, as
    SmartPlex receives the owner's webhook. `media.rate` carries top-level `rating` (0-10, default 8).
    """
    if event not in EVENTS:
        raise ValueError(f"unknown Plex webhook event {event!r}")
    account = sim.account(account_id)
    payload: dict[str, Any] = {
        "event": event,
        "user": account.id == 1 if user is None else user,
        "owner": True,
        "Account": {"id": account_id, "thumb": account.thumb, "title": account.name},
        "Server": {"title": sim.friendly_name, "uuid": sim.machine_identifier},
    }
    if event == "media.rate":
        payload["rating"] = 8.0 if rating is None else rating
    if event not in NO_PLAYER_EVENTS:
        payload["Player"] = {
            "local": account.local,
            "publicAddress": account.public_address,
            "title": account.device_title,
            "uuid": account.client_id,
        }
    if event not in NO_METADATA_EVENTS:
        payload["Metadata"] = _metadata(
            sim, event, rating_key, rating=payload.get("rating"), view_offset=view_offset, now=now
        )
    return payload


def _metadata(
    sim: PlexSimulator,
    event: str,
    rating_key: int | str | None,
    *,
    rating: float | None,
    view_offset: int | None,
    now: int | None,
) -> dict[str, Any]:
    if rating_key is None:
        raise ValueError(f"{event} needs a rating_key")
    with sim.lock:
        item = sim.get(rating_key)
        if item is None:
            raise KeyError(f"no item {rating_key}")
        metadata = {"librarySectionType": item.section.type, **to_json(item_detail_el(item))}
    if event in VIEW_OFFSET_SHARE:
        share = VIEW_OFFSET_SHARE[event]
        metadata["viewOffset"] = view_offset if view_offset is not None else int((item.duration or 0) * share)
    if event in ("media.scrobble", "media.stop"):
        metadata["lastViewedAt"] = now or int(time.time())
    if rating is not None:
        metadata["userRating"] = rating
        metadata["lastRatedAt"] = now or int(time.time())
    return metadata


def _part(boundary: str, headers: str, content: bytes) -> bytes:
    return f"--{boundary}\r\n{headers}\r\n".encode() + content + b"\r\n"


def webhook_multipart(
    payload: dict[str, Any],
    *,
    thumb: bytes | None = None,
    as_json: bool = False,
    boundary: str | None = None,
) -> tuple[bytes, str]:
    """Encode a webhook as `multipart/form-data`: (body, Content-Type header value).

    `as_json` labels the `payload` part `Content-Type: application/json` (seen in captures; whether PMS does is
    unverified, so receivers must accept both). `thumb` adds the `thumb` part (`thumb.jpg`, `image/jpeg`).
    """
    boundary = boundary or "------------------------" + secrets.token_hex(8)
    payload_headers = 'Content-Disposition: form-data; name="payload"\r\n'
    if as_json:
        payload_headers += "Content-Type: application/json\r\n"
    body = _part(boundary, payload_headers, orjson.dumps(payload))
    if thumb is not None:
        thumb_headers = (
            'Content-Disposition: form-data; name="thumb"; filename="thumb.jpg"\r\nContent-Type: image/jpeg\r\n'
        )
        body += _part(boundary, thumb_headers, thumb)
    body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def fire_webhook(
    sim: PlexSimulator,
    url: str,
    event: str,
    account_id: int,
    rating_key: int | str | None = None,
    *,
    thumb: bool = True,
    as_json: bool = False,
    client: httpx.Client | None = None,
    timeout: float = 10.0,
    **payload_options: Any,
) -> httpx.Response:
    """POST a webhook to `url` the way PMS does and return the response.

    `thumb` attaches the item's poster on events that carry one (media.play, media.rate, library.new,
    library.on.deck, playback.started); `as_json` sets the payload part's Content-Type; other keyword
    options (`rating`, `view_offset`, `user`, `now`) go to `webhook_payload`.
    """
    payload = webhook_payload(sim, event, account_id, rating_key, **payload_options)
    poster = (
        item_jpeg(int(rating_key), 120, 180) if thumb and event in POSTER_EVENTS and rating_key is not None else None
    )
    body, content_type = webhook_multipart(payload, thumb=poster, as_json=as_json)
    headers = {"Content-Type": content_type}
    if client is not None:
        return client.post(url, content=body, headers=headers, timeout=timeout)
    with httpx.Client() as own:
        return own.post(url, content=body, headers=headers, timeout=timeout)
