"""Rate limits backed by the `limits` library: in memory by default, in Redis when configured.

With Redis every worker shares the counters; in memory they are per process, which matches the
single-worker embedded mode.
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from smartplex.config import get_settings


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


@functools.cache
def _limiter() -> MovingWindowRateLimiter:
    url = get_settings().redis_url
    storage: Storage = storage_from_string(url) if url else MemoryStorage()
    return MovingWindowRateLimiter(storage)


def reset() -> None:
    """Drop every counter (tests) and rebuild the storage from the current settings."""
    _limiter().storage.reset()
    _limiter.cache_clear()


def rule(spec: str) -> RateLimitItem:
    """A limit such as '10/5 minutes' or '100/minute'."""
    return parse(spec)


def check(limit: RateLimitItem, *keys: str) -> Verdict:
    """Is one more hit allowed for every key? Does not count the hit."""
    limiter = _limiter()
    worst = 0
    for key in keys:
        if not limiter.test(limit, key):
            reset_at = limiter.get_window_stats(limit, key).reset_time
            worst = max(worst, math.ceil(reset_at - time.time()))
    return Verdict(allowed=worst == 0, retry_after=max(worst, 1) if worst else 0)


def hit(limit: RateLimitItem, *keys: str) -> Verdict:
    """Count one hit for every key; refused when any key is already at its limit."""
    verdict = check(limit, *keys)
    if verdict.allowed:
        for key in keys:
            _limiter().hit(limit, key)
    return verdict
