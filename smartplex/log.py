"""Structured JSON logs: one event per line, with request id and user id bound per request/event.

Everything that goes through the standard library (uvicorn, granian, reflex, alembic, warnings) is
rendered by the same processors; a traceback becomes the record's `exception` field. Values under
secret-looking keys, and tokens, cookies and credentials inside strings, are redacted before anything
is written.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import uuid
from typing import Any

import orjson
import structlog

SECRET_KEYS = re.compile(r"(pass(word)?|secret|token|api[_-]?key|authorization|cookie)", re.I)
# A secret up to the next separator: in URLs, and the session cookie wherever it is written.
SECRET_IN_TEXT = re.compile(
    r"(X-Plex-Token[=:]\s*|[?&](token|invite|apikey|api_key)=|/api/webhooks/[a-z]+/|\bsp_session=)([^&;,\s\"']+)",
    re.IGNORECASE,
)
# A whole header value (a Cookie header holds several cookies) or a quoted secret, as raw header lines,
# reprs and JSON write them: `Cookie: a=1; b=2`, `'cookie': '...'`, `"session_token": "..."`.
SECRET_VALUE_IN_TEXT = re.compile(
    r"""(\b(cookie|authorization|x-api-key)['"]?\s*[:=]\s*['"]?|['"]\w*(token|password|secret)['"]\s*:\s*['"])"""
    r"""([^'"\r\n]+)""",
    re.IGNORECASE,
)
REDACTED = "[redacted]"


def redact_text(text: str) -> str:
    text = SECRET_VALUE_IN_TEXT.sub(lambda m: m.group(1) + REDACTED, text)
    return SECRET_IN_TEXT.sub(lambda m: m.group(1) + REDACTED, text)


class RedactAccessPaths(logging.Filter):
    """Redact webhook secrets in server access-log records (uvicorn passes the path in `args`, granian in a dict).

    Attached to the loggers themselves: granian's dictConfig replaces their handlers but keeps their filters.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_text(record.msg)
        if isinstance(record.args, dict):
            record.args = {k: redact_text(v) if isinstance(v, str) else v for k, v in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(redact_text(v) if isinstance(v, str) else v for v in record.args)
        return True


ACCESS_LOGGERS = ("uvicorn.access", "granian.access")


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: REDACTED if isinstance(k, str) and SECRET_KEYS.search(k) else _scrub(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub(v) for v in value]
    return value


def _redact(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    for key, value in list(event_dict.items()):
        if key != "event" and SECRET_KEYS.search(key):
            event_dict[key] = REDACTED
        else:
            event_dict[key] = _scrub(value)
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
    # Under `reflex run` Reflex hangs its own console sink on the "reflex" logger (multi-line, no redaction:
    # a failed event printed the connection's cookies) and stops propagation; with this marker set it
    # re-attaches the sink whenever its config is loaded again, so drop both.
    os.environ.pop("REFLEX_MANAGED_LOGGING", None)
    logging.getLogger("reflex").setLevel(logging.NOTSET)
    for name in ("reflex", "uvicorn", "uvicorn.error", "uvicorn.access", "_granian", "granian", "granian.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.captureWarnings(True)
    for name in ACCESS_LOGGERS:
        access = logging.getLogger(name)
        if not any(isinstance(f, RedactAccessPaths) for f in access.filters):
            access.addFilter(RedactAccessPaths())
    _configured = True


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


def bind(**values: Any) -> None:
    structlog.contextvars.bind_contextvars(**values)


def clear() -> None:
    structlog.contextvars.clear_contextvars()
