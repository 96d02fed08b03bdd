"""The built-in answerer: when no AI model is set up, the provider is down, its circuit is open or the month's
budget is spent, the common questions are answered straight from the database with the same tools the model
calls (so the same scoping and privacy rules hold), in well under a second.

Intents: what should I watch, what's new, what's trending, what did I watch (last week, in March…), how many
hours did I watch, do we have X. Anything else gets a short list of what it can answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from smartplex.services.ai import periods, tools
from smartplex.services.ai.tools import PERSONAL, Findings, Scope
from smartplex.services.text import fold

LIST_LENGTH = 6

_HAVE = re.compile(
    r"(?:do|does)\s+(?:we|you|the server|the library|my server)\s+(?:have|got)\s+(?:any\s+)?(.+)"
    r"|(?:have|has)\s+(?:we|you|the server)\s+got\s+(.+)"
    r"|is\s+(.+?)\s+(?:on|in)\s+(?:the\s+|my\s+|our\s+)?(?:server|library|plex)"
    r"|(?:can i|could i)\s+watch\s+(.+)",
    re.IGNORECASE,
)
_STRIP = " \t\"'“”‘’?!.,:;"


@dataclass(frozen=True)
class BuiltinAnswer:
    text: str
    intent: str  # recommend | new | trending | history | hours | have | help


def _line(item: dict[str, Any], note: str = "") -> str:
    year = f" ({item['year']})" if item.get("year") else ""
    return f"- **{item['title']}**{year}" + (f" — {note}" if note else "")


def _recommend(scope: Scope, findings: Findings) -> str:
    picks = tools.call(scope, "my_recommendations", {}, findings)["results"][:LIST_LENGTH]
    trend = tools.call(scope, "trending", {}, findings)["results"]
    shown = {p["id"] for p in picks}
    trend = [t for t in trend if t["id"] not in shown][:3]
    parts = []
    personal = [p for p in picks if p["basis"] == PERSONAL]
    social = [p for p in picks if p["basis"] != PERSONAL]
    if personal:
        parts.append("**For you**, from your own history:\n" + "\n".join(_line(p, p["reason"]) for p in personal))
    if social:
        parts.append("**Popular picks** from what others on your server watch:\n" + "\n".join(_line(p, p["reason"]) for p in social))
    if trend:
        parts.append("**Trending on your server** this week:\n" + "\n".join(_line(t, f"{t['people']} people watched it") for t in trend))
    return "\n\n".join(parts) or "I found nothing to suggest yet: the library looks empty."


def _new(scope: Scope, findings: Findings) -> str:
    items = tools.call(scope, "search_library", {"sort": "added"}, findings)["results"][:LIST_LENGTH]
    if not items:
        return "Nothing has been added to the server yet."
    return "**Recently added** to your server:\n" + "\n".join(_line(i, i["type"]) for i in items)


def _trending(scope: Scope, findings: Findings) -> str:
    items = tools.call(scope, "trending", {}, findings)["results"][:LIST_LENGTH]
    if not items:
        return "Nothing is trending this week: trending needs at least 3 people watching the same title."
    return "**Trending on your server** this week:\n" + "\n".join(_line(i, f"{i['people']} people watched it") for i in items)


def _period(scope: Scope, question: str) -> periods.Period:
    return periods.parse(question, scope.today) or periods.recent(scope.today)


def _history(scope: Scope, question: str, findings: Findings) -> str:
    period = _period(scope, question)
    found = tools.call(scope, "my_history", {"since": period.start.isoformat(), "until": period.end.isoformat()}, findings)
    if not found["plays"]:
        return f"You didn't watch anything on this server {_when(period)}."
    lines = "\n".join(f"- **{w['title']}** — {w['day']}" + ("" if w["finished"] else " (not finished)") for w in found["recent"][:10])
    more = found["plays"] - min(len(found["recent"]), 10)
    tail = f"\n\n…and {more} more." if more > 0 else ""
    return f"**Your plays {_when(period)}** ({found['plays']} in all, {found['hours']:g} hours):\n{lines}{tail}"


def _hours(scope: Scope, question: str, findings: Findings) -> str:
    period = _period(scope, question)
    found = tools.call(scope, "my_history", {"since": period.start.isoformat(), "until": period.end.isoformat()}, findings)
    genres = f" Mostly {', '.join(found['top_genres'])}." if found["top_genres"] else ""
    return f"You watched **{found['hours']:g} hours** {_when(period)}, in {found['plays']} plays.{genres}"


def _when(period: periods.Period) -> str:
    return period.label if period.label.startswith(("the last", "this", "last", "yesterday", "today")) else f"in {period.label}"


def _have(scope: Scope, title: str, findings: Findings) -> str:
    found = tools.call(scope, "search_library", {"title": title}, findings)["results"][:LIST_LENGTH]
    if not found:
        findings.missing.append(title)
        return f"**{title}** is not on your server."
    exact = [f for f in found if fold(f["title"]) == fold(title)]
    head = "Yes, it's on your server:" if exact else f"Nothing is called exactly “{title}”, but these match:"
    return head + "\n" + "\n".join(_line(f, f["type"]) for f in (exact or found))


HELP = (
    "I can answer these without the AI model:\n"
    "- *What should I watch?*\n- *What's new?*\n- *What's trending?*\n"
    "- *What did I watch last week?* (or *in March*)\n- *How many hours did I watch this month?*\n- *Do we have Alien?*"
)


def wanted_title(question: str) -> str | None:
    """The title in "do we have X" / "is X on the server" / "can I watch X", as typed."""
    match = _HAVE.search(question.strip())
    if not match:
        return None
    title = next(g for g in match.groups() if g)
    title = re.sub(r"^(?:the\s+)?(?:movie|film|show|series)\s+", "", title.strip(_STRIP), flags=re.IGNORECASE)
    return title.strip(_STRIP) or None


def answer(scope: Scope, question: str, findings: Findings) -> BuiltinAnswer:
    """Answer a common question from the database. Synchronous: call it off the event loop."""
    folded = fold(question)
    if re.search(r"\bhow (?:many|much)\b.*\b(?:hours?|time)\b|\bhours\b.*\bwatch", folded):
        return BuiltinAnswer(_hours(scope, folded, findings), "hours")
    if re.search(r"\bwhat (?:did|have) i (?:watch|seen|see)|\bi watched\b|\bmy (?:history|plays)\b|\bwhat i watched\b", folded):
        return BuiltinAnswer(_history(scope, folded, findings), "history")
    title = wanted_title(question)
    if title:
        return BuiltinAnswer(_have(scope, title, findings), "have")
    if re.search(r"\btrending\b|\bpopular\b|\beveryone\b|\bothers? (?:are )?watching\b", folded):
        return BuiltinAnswer(_trending(scope, findings), "trending")
    if re.search(r"\bwhat'?s new\b|\bwhat is new\b|\bnew (?:on|in|this)\b|\brecently added\b|\bjust added\b|\blatest\b|\bnew (?:movies|shows|stuff)\b", folded):
        return BuiltinAnswer(_new(scope, findings), "new")
    if re.search(r"\bwatch\b|\brecommend|\bsuggest|\btonight\b|\bin the mood\b|\bsomething\b", folded):
        return BuiltinAnswer(_recommend(scope, findings), "recommend")
    return BuiltinAnswer(HELP, "help")
