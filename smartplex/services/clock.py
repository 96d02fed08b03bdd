"""Time as a member reads it: in their own time zone, in words ("Yesterday, 21:14", "3 hours ago", "in March").

Every member has an IANA time zone (user.time_zone; unset = UTC until their browser reports its own). Stored
times are UTC; only what people read is local: dates, "x ago", "this week", plays by hour and by day.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

MAX_ZONE_NAME = 64


class ZoneError(ValueError):
    """Not a time zone we know; the message is safe to show."""


@functools.cache
def zone_names() -> tuple[str, ...]:
    """The zones people pick from: "Region/City" names and UTC, sorted (no legacy aliases like "posix/...")."""
    regions = ("Africa/", "America/", "Antarctica/", "Arctic/", "Asia/", "Atlantic/", "Australia/", "Europe/",
               "Indian/", "Pacific/")  # fmt: skip
    return ("UTC", *sorted(name for name in available_timezones() if name.startswith(regions)))


def check_zone(name: object) -> str:
    """`name` if it is a zone of `zone_names()`, else ZoneError."""
    text = str(name or "").strip()
    if not text or len(text) > MAX_ZONE_NAME or text not in _known():
        raise ZoneError("Pick a time zone from the list.")
    return text


@functools.cache
def _known() -> frozenset[str]:
    return frozenset(zone_names())


@functools.cache
def zone(name: str | None) -> tzinfo:
    """The zone called `name`; UTC for none or an unknown one (a row written before the zone list changed)."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local(moment: datetime, tz: tzinfo) -> datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(tz)


def day_start(day: date, tz: tzinfo) -> datetime:
    """The first instant (in UTC) of `day` in `tz`."""
    return datetime.combine(day, time(), tz).astimezone(UTC)


def week_start(now: datetime, tz: tzinfo) -> datetime:
    """Monday 00:00 of `now`'s week in `tz`, as UTC."""
    today = local(now, tz).date()
    return day_start(today - timedelta(days=today.weekday()), tz)


def readable(moment: datetime, tz: tzinfo, now: datetime) -> str:
    """A date and time to read at a glance: "Today, 21:14", "Yesterday, 08:05", "Mon 3 Mar, 21:14",
    "3 Mar 2024"."""
    when, today = local(moment, tz), local(now, tz).date()
    clock = when.strftime("%H:%M")
    days = (today - when.date()).days
    if days == 0:
        return f"Today, {clock}"
    if days == 1:
        return f"Yesterday, {clock}"
    if when.year == today.year:
        return f"{when.strftime('%a')} {when.day} {when.strftime('%b')}, {clock}"
    return f"{when.day} {when.strftime('%b %Y')}"


def ago(moment: datetime, tz: tzinfo, now: datetime) -> str:
    """How long ago: "just now", "5 minutes ago", "3 hours ago", "yesterday", "4 days ago", then the date."""
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        minutes = int(seconds // 60)
        return "a minute ago" if minutes == 1 else f"{minutes} minutes ago"
    days = (local(now, tz).date() - local(moment, tz).date()).days
    if days == 0:
        hours = int(seconds // 3600)
        return "an hour ago" if hours == 1 else f"{hours} hours ago"
    if days == 1:
        return "yesterday"
    if days < 7:
        return f"{days} days ago"
    when = local(moment, tz)
    same_year = when.year == local(now, tz).year
    return f"{when.day} {when.strftime('%b')}" + ("" if same_year else f" {when.year}")


def when_phrase(moment: datetime, tz: tzinfo, now: datetime) -> str:
    """When, to end a sentence: "today", "yesterday", "on Monday", "in March", "in March 2024"."""
    when, today = local(moment, tz), local(now, tz).date()
    days = (today - when.date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 7:
        return f"on {when.strftime('%A')}"
    if when.year == today.year:
        return f"in {when.strftime('%B')}"
    return f"in {when.strftime('%B %Y')}"
