"""A Plex webhook delivery's body: the `payload` part of a multipart body (or a JSON body), checked and hashed,
and safe access to its fields (every field may be missing or of the wrong type)."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header


class WebhookRejected(Exception):
    """The delivery cannot be accepted; `reason` is safe to show and store."""

    def __init__(self, reason: str, http_status: int = 400, event: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.http_status = http_status
        self.event = event




@dataclass(frozen=True)
class Payload:
    data: dict[str, Any]
    text: str
    hash: str

    @property
    def event(self) -> str:
        return self.data["event"]

    @property
    def server_uuid(self) -> str:
        return self.data["Server"]["uuid"]



def parse_body(content_type: str, body: bytes) -> Payload:
    """The webhook payload from a multipart (`payload` part, `thumb` ignored) or JSON body."""
    media_type, params = parse_options_header(content_type or "")
    if media_type == b"multipart/form-data":
        raw = _payload_part(body, params.get(b"boundary", b""))
    elif media_type == b"application/json" or media_type.endswith(b"+json"):
        raw = body
    else:
        raise WebhookRejected("unsupported content type", 415)
    return _validated(raw)


def _payload_part(body: bytes, boundary: bytes) -> bytes:
    """The bytes of the one part named `payload`; other parts (the JPEG `thumb`) are skipped, not buffered."""
    if not boundary:
        raise WebhookRejected("malformed multipart body: no boundary")
    state = _PartState()
    parser = MultipartParser(boundary, _part_callbacks(state))
    try:
        parser.write(body)
        parser.finalize()
    except MultipartParseError:
        raise WebhookRejected("malformed multipart body") from None
    if not state.ended:
        raise WebhookRejected("malformed multipart body: truncated")
    if state.payloads == 0:
        raise WebhookRejected("missing payload part")
    if state.payloads > 1:
        raise WebhookRejected("more than one payload part")
    return bytes(state.payload)


@dataclass
class _PartState:
    header_name: bytearray = field(default_factory=bytearray)
    header_value: bytearray = field(default_factory=bytearray)
    is_payload: bool = False
    payloads: int = 0
    payload: bytearray = field(default_factory=bytearray)
    ended: bool = False


def _part_callbacks(state: _PartState) -> dict[str, Any]:
    def on_part_begin() -> None:
        state.is_payload = False

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state.header_name += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state.header_value += data[start:end]

    def on_header_end() -> None:
        if bytes(state.header_name).lower() == b"content-disposition":
            _, params = parse_options_header(bytes(state.header_value))
            if params.get(b"name") == b"payload":
                state.is_payload = True
                state.payloads += 1
        state.header_name.clear()
        state.header_value.clear()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if state.is_payload and state.payloads == 1:
            state.payload += data[start:end]

    def on_end() -> None:
        state.ended = True

    return {
        "on_part_begin": on_part_begin,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_part_data": on_part_data,
        "on_end": on_end,
    }


def _validated(raw: bytes) -> Payload:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise WebhookRejected("payload is not valid JSON") from None
    if not isinstance(data, dict):
        raise WebhookRejected("payload is not a JSON object")
    event = data.get("event")
    if not isinstance(event, str) or not event:
        raise WebhookRejected("missing event")
    server = data.get("Server")
    uuid = server.get("uuid") if isinstance(server, dict) else None
    if not isinstance(uuid, str) or not uuid:
        raise WebhookRejected("missing Server.uuid", event=event)
    # Hash the canonical form, so the same payload is a duplicate whatever its encoding or key order.
    digest = hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return Payload(data=data, text=raw.decode(), hash=digest)



def metadata(data: dict[str, Any]) -> dict[str, Any]:
    meta = data.get("Metadata")
    return meta if isinstance(meta, dict) else {}


def rating_key(data: dict[str, Any]) -> str | None:
    key = metadata(data).get("ratingKey")
    return str(key)[:32] if isinstance(key, (str, int)) and not isinstance(key, bool) and str(key) else None


def account_id(data: dict[str, Any]) -> int | None:
    account = data.get("Account")
    value = account.get("id") if isinstance(account, dict) else None
    found = number(value)
    return int(found) if found is not None and found.is_integer() else None


def number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        found = float(value)
    except (TypeError, ValueError):
        return None
    return found if math.isfinite(found) else None


def epoch(value: Any) -> datetime | None:
    found = number(value)
    if found is None or found <= 0:
        return None
    try:
        return datetime.fromtimestamp(found, UTC)
    except (OverflowError, OSError, ValueError):
        return None

