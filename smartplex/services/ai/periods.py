"""Periods people ask about ("last week", "in March", "this year") as [start, end) UTC ranges, for the
history tool and the built-in answerer alike."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

MONTHS = {
    name: n
    for n, names in enumerate(
        (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
         ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
         ("november", "nov"), ("december", "dec")),
        start=1,
    )
    for name in names
}  # fmt: skip
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Period:
    start: date  # first day, included
    end: date  # last day, included
    label: str  # how an answer names it: "last week", "March 2026"

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as UTC datetimes."""
        return datetime.combine(self.start, time(), UTC), datetime.combine(self.end + timedelta(days=1), time(), UTC)


def recent(today: date, days: int = DEFAULT_DAYS) -> Period:
    return Period(today - timedelta(days=days - 1), today, f"the last {days} days")


def from_dates(since: str | None, until: str | None, today: date) -> Period:
    """A period from ISO dates as a model sends them (either may be missing); ValueError names a bad one."""
    try:
        end = date.fromisoformat(until) if until else today
        start = date.fromisoformat(since) if since else end - timedelta(days=DEFAULT_DAYS - 1)
    except ValueError:
        raise ValueError("since and until must be dates like 2026-03-31") from None
    if start > end:
        start, end = end, start
    return Period(start, end, f"{start.isoformat()} to {end.isoformat()}")


def _month(today: date, month: int, year: int | None) -> Period:
    if year is None:
        year = today.year if month <= today.month else today.year - 1  # "in March" means the last March
    start = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return Period(start, following - timedelta(days=1), start.strftime("%B %Y"))


_MONTH_RE = re.compile(r"\b(?:in|during|for|of)\s+(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b(?:\s+(\d{4}))?")


def parse(text: str, today: date) -> Period | None:
    """The period a (folded) question names, or None when it names none."""
    if "yesterday" in text:
        day = today - timedelta(days=1)
        return Period(day, day, "yesterday")
    if "today" in text or "tonight" in text:
        return Period(today, today, "today")
    if "last week" in text or "past week" in text:
        monday = today - timedelta(days=today.weekday() + 7)
        return Period(monday, monday + timedelta(days=6), "last week")
    if "this week" in text:
        monday = today - timedelta(days=today.weekday())
        return Period(monday, today, "this week")
    if "last month" in text or "past month" in text:
        last = today.replace(day=1) - timedelta(days=1)
        return _month(today, last.month, last.year)
    if "this month" in text:
        return Period(today.replace(day=1), today, "this month")
    if "last year" in text or "past year" in text:
        return Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31), str(today.year - 1))
    if "this year" in text:
        return Period(date(today.year, 1, 1), today, "this year")
    if m := _MONTH_RE.search(text):
        return _month(today, MONTHS[m.group(1)], int(m.group(2)) if m.group(2) else None)
    if m := re.search(r"\b(?:last|past)\s+(\d{1,3})\s+days?\b", text):
        return recent(today, max(1, min(int(m.group(1)), 366)))
    return None
