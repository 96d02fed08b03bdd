"""The tools the chat model may call, and the one way they run: `run(scope, name, arguments)`.

Scope: every tool reads the one server and the one member of `Scope`, which the server side builds from the
signed-in session; no tool takes a user or server id, and arguments a tool does not declare are refused, so
whatever a model (or text it read) asks for, another member's plays are not reachable. Titles, summaries and
anything else from Plex, Seerr or webhooks reach the model only here, inside a tool result wrapped as data.

Results are compact JSON: ids let the model ask for details or similar titles, and `Findings` keeps what was
shown (the titles, and title searches that found nothing) so the answer can show poster cards and "Request it".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import orjson

from smartplex.services import dashboard, recommendations
from smartplex.services.ai import library, periods
from smartplex.services.ai.library import Found, Search

MAX_TEXT = 200  # characters of any string argument
SUMMARY_CHARS = 400
PERSONAL = "your history"  # the `basis` of a recommendation the member's own plays explain
SIMILAR_PEOPLE = "people with your taste"
SERVER = "your server"  # trending, new, popular, highly rated: what everyone on the server does
BASIS = {"because_watched": PERSONAL, "similar_people": SIMILAR_PEOPLE}


@dataclass(frozen=True)
class Scope:
    """Whose question it is and which server's library answers it (built from the session, never from input)."""

    user_id: int
    server_id: int
    now: datetime  # the moment of the question: "today", "this week", trending all count from it

    @property
    def today(self) -> date:
        return self.now.astimezone(UTC).date()


@dataclass
class Findings:
    """What the tools showed during one answer: titles by id, and title searches that found nothing."""

    titles: dict[int, Found] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # the tools that ran, in order

    def saw(self, found: list[Found]) -> None:
        for item in found:
            self.titles.setdefault(item.id, item)


class ToolError(ValueError):
    """A tool call the model got wrong; the message goes back to it as the tool's result."""


def _fn(name: str, description: str, properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    parameters: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        parameters["required"] = required
    return {"type": "function", "function": {"name": name, "description": description, "parameters": parameters}}


_INT = {"type": "integer"}
_STR = {"type": "string"}
_DATE = {"type": "string", "description": "YYYY-MM-DD"}
SCHEMAS: list[dict[str, Any]] = [
    _fn(
        "search_library",
        "Find movies/shows on the server. All filters optional.",
        {
            "title": _STR, "genre": _STR, "person": {"type": "string", "description": "actor or director"},
            "type": {"type": "string", "enum": ["movie", "show"]}, "year_from": _INT, "year_to": _INT,
            "unwatched_by_me": {"type": "boolean"}, "sort": {"type": "string", "enum": list(library.SORTS)},
        },
    ),  # fmt: skip
    _fn("my_profile", "The user's top genres and last plays.", {}),
    _fn("my_history", "The user's own plays, hours and top genres in a period.", {"since": _DATE, "until": _DATE}),
    _fn("trending", "Titles several people on the server played this week.", {}),
    _fn("my_recommendations", "Picks for the user, each with its reason.", {}),
    _fn("similar_titles", "Titles like one title (id from another tool).", {"id": _INT}, ["id"]),
    _fn("title_details", "Summary and facts of one title (id from another tool).", {"id": _INT}, ["id"]),
]
NAMES = [schema["function"]["name"] for schema in SCHEMAS]


def _compact(found: Found) -> dict[str, Any]:
    item: dict[str, Any] = {"id": found.id, "title": found.title, "type": found.type}
    if found.year:
        item["year"] = found.year
    if found.genres:
        item["genres"] = list(found.genres[:3])
    if found.rating:
        item["rating"] = found.rating
    return item


def _text(args: dict[str, Any], name: str) -> str:
    value = args.get(name) or ""
    if not isinstance(value, str):
        raise ToolError(f"{name} must be text")
    return value[:MAX_TEXT]


def _int(args: dict[str, Any], name: str, *, required: bool = False) -> int:
    value = args.get(name)
    if value is None and not required:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ToolError(f"{name} must be a number")
    try:
        return int(value)
    except ValueError:
        raise ToolError(f"{name} must be a number") from None


def _search(scope: Scope, args: dict[str, Any], findings: Findings) -> dict[str, Any]:
    kind, sort = _text(args, "type"), _text(args, "sort") or "relevance"
    if kind and kind not in library.TITLE_TYPES:
        raise ToolError("type must be movie or show")
    if sort not in library.SORTS:
        raise ToolError(f"sort must be one of {', '.join(library.SORTS)}")
    query = Search(
        title=_text(args, "title"), genre=_text(args, "genre"), person=_text(args, "person"), type=kind,
        year_from=_int(args, "year_from"), year_to=_int(args, "year_to"),
        unwatched_by_me=bool(args.get("unwatched_by_me")), sort=sort,
    )  # fmt: skip
    found = library.search(None, scope.server_id, scope.user_id, query)
    findings.saw(found)
    if not found and query.title:
        findings.missing.append(query.title)
    return {"results": [_compact(f) for f in found]}


def _history(scope: Scope, args: dict[str, Any], findings: Findings) -> dict[str, Any]:
    try:
        period = periods.from_dates(_text(args, "since") or None, _text(args, "until") or None, scope.today)
    except ValueError as exc:
        raise ToolError(str(exc)) from None
    summary = library.watched_in(scope.user_id, scope.server_id, *period.bounds())
    return {
        "period": f"{period.start.isoformat()}..{period.end.isoformat()}",
        "plays": summary.plays,
        "hours": summary.hours,
        "top_genres": summary.top_genres,
        "recent": [{"id": w.id, "title": w.title, "day": w.day, "finished": w.finished} for w in summary.titles],
    }


def _profile(scope: Scope, _args: dict[str, Any], findings: Findings) -> dict[str, Any]:
    """The member's last 90 days in brief: top genres and the latest plays."""
    summary = library.watched_in(scope.user_id, scope.server_id, *periods.recent(scope.today, 90).bounds(), limit=5)
    return {
        "top_genres_90_days": summary.top_genres,
        "last_played": [{"id": w.id, "title": w.title, "day": w.day} for w in summary.titles],
    }


def _trending(scope: Scope, _args: dict[str, Any], findings: Findings) -> dict[str, Any]:
    trends = dashboard.trending(scope.server_id, limit=8, now=scope.now)
    found = [Found(t.card.media_item_id, t.card.title, t.card.year or 0, t.card.type, tuple(t.card.genres), 0.0) for t in trends]
    findings.saw(found)
    return {"basis": SERVER, "results": [{**_compact(f), "people": t.members} for f, t in zip(found, trends, strict=True)]}


def _recommendations(scope: Scope, _args: dict[str, Any], findings: Findings) -> dict[str, Any]:
    recs = recommendations.recommend(scope.user_id, scope.server_id, 8, now=scope.now)
    found = [Found(r.media_item_id, r.title, r.year, r.type, tuple(r.genres), 0.0) for r in recs]
    findings.saw(found)
    return {
        "results": [
            {**_compact(f), "reason": r.reason, "basis": BASIS.get(r.reason_kind, SERVER)}
            for f, r in zip(found, recs, strict=True)
        ]
    }


def _similar(scope: Scope, args: dict[str, Any], findings: Findings) -> dict[str, Any]:
    found = library.similar(scope.server_id, _int(args, "id", required=True))
    if found is None:
        raise ToolError("no movie or show with that id on this server")
    findings.saw(found)
    return {"results": [_compact(f) for f in found]}


def _details(scope: Scope, args: dict[str, Any], findings: Findings) -> dict[str, Any]:
    detail = dashboard.item_detail(scope.user_id, scope.server_id, _int(args, "id", required=True))
    if detail is None:
        raise ToolError("no title with that id on this server")
    findings.saw([Found(detail.media_item_id, detail.title, detail.year or 0, detail.type, tuple(detail.genres), detail.rating or 0.0)])
    summary = detail.summary if len(detail.summary) <= SUMMARY_CHARS else detail.summary[:SUMMARY_CHARS] + "…"
    return {
        **_compact(findings.titles[detail.media_item_id]),
        "summary": summary,
        "minutes": detail.duration_min,
        "your_plays": detail.your_plays,
        "liked_by_others": detail.liked_by_count,  # None: fewer than the privacy floor, not to be guessed
    }


_RUN: dict[str, Callable[[Scope, dict[str, Any], Findings], dict[str, Any]]] = {
    "search_library": _search,
    "my_profile": _profile,
    "my_history": _history,
    "trending": _trending,
    "my_recommendations": _recommendations,
    "similar_titles": _similar,
    "title_details": _details,
}
_DECLARED = {schema["function"]["name"]: set(schema["function"]["parameters"]["properties"]) for schema in SCHEMAS}


def parse_arguments(name: str, raw: str) -> dict[str, Any]:
    """The arguments of a call as the model sent them (JSON text); ToolError for an unknown tool, broken JSON or
    an argument the tool does not declare (a user id, say)."""
    if name not in _RUN:
        raise ToolError(f"unknown tool {name[:60]!r}")
    try:
        args = json.loads(raw or "{}")
    except json.JSONDecodeError:
        raise ToolError("arguments are not valid JSON") from None
    if not isinstance(args, dict):
        raise ToolError("arguments must be a JSON object")
    unknown = sorted(set(args) - _DECLARED[name])
    if unknown:
        raise ToolError(f"{name} takes no argument {', '.join(map(str, unknown))[:120]}")
    return args


def call(scope: Scope, name: str, args: dict[str, Any], findings: Findings) -> dict[str, Any]:
    """Run one tool for `scope`; the result as a dict."""
    findings.sources.append(name)
    return _RUN[name](scope, args, findings)


def run(scope: Scope, name: str, raw_arguments: str, findings: Findings) -> str:
    """Run a call the model made and return the tool message's content: the result marked as data, or the
    error the model should correct. Synchronous (database reads): call it off the event loop."""
    try:
        result: dict[str, Any] = {"data": call(scope, name, parse_arguments(name, raw_arguments), findings)}
    except ToolError as exc:
        result = {"error": str(exc)}
    return orjson.dumps(result).decode()
