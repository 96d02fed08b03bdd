"""Reading stored values that may be untidy: rows written by any path (sync, webhooks, old versions, hand edits)
can hold NULL, text, NaN or broken JSON where a number or a tag list is expected. Unknown reads as 0 or ()."""

from __future__ import annotations

import math
from typing import Any

import orjson


def number(value: Any) -> float:
    """A finite number, or 0.0 (= unknown) for NULL, text, NaN and the like."""
    try:
        found = float(value)
    except (TypeError, ValueError):
        return 0.0
    return found if math.isfinite(found) else 0.0


def tag_names(value: Any) -> tuple[str, ...]:
    """Tag names (genres, directors, actors) from a JSON column however it arrives: text or decoded, strings or
    {"tag": ...}; duplicates and blanks dropped; () for NULL, broken JSON or anything else."""
    if isinstance(value, (str, bytes)):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            return ()
    if not isinstance(value, list):
        return ()
    names = (entry.get("tag") if isinstance(entry, dict) else entry for entry in value)
    return tuple(dict.fromkeys(name.strip() for name in names if isinstance(name, str) and name.strip()))
