"""Structured JSON logs: one event per line, with request id and user id bound per request/event.

Everything that goes through the standard library (uvicorn, granian, reflex, alembic) is rendered
by the same processors. Values under secret-looking keys, and Plex tokens inside strings, are
redacted before anything is written.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from typing import Any

import orjson
import structlog

SECRET_KEYS = re.compile(r"(pass(word)?|secret|token|api[_-]?key|authorization|cookie)", re.I)
SECRET_IN_TEXT = re.compile(
    r"(X-Plex-Token[=:]\s*|[?&](token|apikey|api_key)=|/api/webhooks/[a-z]+/)([^&\s\"']+)", re.I
)
REDACTED = "[redacted]"


def redact_text(text: str) -> str:
    return SECRET_IN_TEXT.sub(lambda m: m.group(1) + REDACTED, text)


def _redact(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    for key, value in list(event_dict.items()):
        if SECRET_KEYS.search(key) and key not in ("event", "token_kind"):
            event_dict[key] = REDACTED
        elif isinstance(value, str):
            event_dict[key] = redact_text(value)
    return event_dict


def _json(obj: Any, **_kw: Any) -> str:
    return orjson.dumps(obj, default=str).decode()


_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.processors.format_exc_info,
    _redact,
]

_configured = False


def configure(level: str = "INFO") -> None:
    """Install the JSON pipeline for structlog and the standard library (idempotent)."""
    global _configured
    if _configured:
        return
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=_SHARED,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, structlog.processors.JSONRenderer(serializer=_json)],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "granian", "granian.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    _configured = True


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


def bind(**values: Any) -> None:
    structlog.contextvars.bind_contextvars(**values)


def clear() -> None:
    structlog.contextvars.clear_contextvars()
