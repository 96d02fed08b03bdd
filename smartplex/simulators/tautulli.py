"""A simulated Tautulli (API v2) on 127.0.0.1: the commands SmartPlex uses, speaking Tautulli's wire format.

Every answer is `{"response": {"result": "success" | "error", "message": ..., "data": ...}}`; an error (no or
a wrong `apikey`, an unknown `cmd`, a bad parameter) comes back as HTTP 400 with its message, as Tautulli does.
Parameters are read from the query string or a form body (Tautulli's CherryPy merges both).

- `get_tautulli_info`: the version and platform.
- `get_server_identity`: the machine identifier of the Plex server Tautulli watches.
- `get_users`: the Plex users Tautulli knows, the server owner with `is_admin` 1.
- `get_history`: the watch history, newest first by default, paged with `start`/`length`, in DataTables' shape
  (`recordsTotal`, `recordsFiltered`, `draw`, `data`). Users appear by their plex.tv id, the owner too (where
  Plex's own history says account 1).

History rows come from the Plex simulator's plays (so they overlap Plex's own history, as in real life) or are
added by a test with `add_row`; `faults` make it answer HTML, 500 or hang.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from smartplex.simulators.plex import PlexLibrary
from smartplex.simulators.server import ThreadedServer

VERSION = "v2.15.3"
MAX_LENGTH = 1000
ORDER_COLUMNS = {"date", "started", "stopped", "duration", "full_title", "friendly_name"}


@dataclass
class TautulliFaults:
    html: bool = False  # answer a login page instead of JSON (a URL pointing at the web UI behind a proxy)
    status: int | None = None  # answer with this HTTP status and Tautulli's error body
    hang: bool = False
    latency: float = 0.0

    def reset(self) -> None:
        self.html, self.status, self.hang, self.latency = False, None, False, 0.0


@dataclass
class TautulliSimulator:
    """A Tautulli watching `machine_identifier`, with `rows` of history (dicts in Tautulli's field names)."""

    api_key: str = "0123456789abcdef0123456789abcdef"
    machine_identifier: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)
    users: list[dict[str, Any]] = field(default_factory=list)
    faults: TautulliFaults = field(default_factory=TautulliFaults)
    requests: list[str] = field(default_factory=list)  # the commands asked, in order
    queries: list[str] = field(default_factory=list)  # the raw query strings (where a key must not be)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @classmethod
    def watching(cls, plex: PlexLibrary, machine_identifier: str, **kwargs: Any) -> TautulliSimulator:
        """A Tautulli whose history holds the Plex library's plays, each as a finished session."""
        sim = cls(machine_identifier=machine_identifier, **kwargs)
        sim.users = [
            {"user_id": a.plex_id, "username": a.name, "friendly_name": a.name, "is_admin": int(a.id == 1)}
            for a in plex.accounts
        ]
        for play in plex.history:
            item = plex.get(play.rating_key)
            account = plex.account(play.account_id)
            if item is not None:
                sim.add_row(item_row(item, account.plex_id, account.name, play.viewed_at))
        return sim

    def add_row(self, row: dict[str, Any]) -> dict[str, Any]:
        """Add a history row (Tautulli's field names); `id`/`reference_id`/`row_id` are filled in."""
        number = next(self._ids)
        stored = {"id": number, "row_id": number, "reference_id": number, **row}
        self.rows.append(stored)
        return stored

    @property
    def app(self) -> Starlette:
        return Starlette(routes=[Route("/api/v2", self._api, methods=["GET", "POST"])])

    def serve(self, port: int | None = None) -> ThreadedServer:
        return ThreadedServer(self.app, port)

    # ------------------------------------------------------------------ the API

    async def _api(self, request: Request) -> Response:
        params = dict(request.query_params)
        if request.method == "POST":
            params.update({k: str(v) for k, v in (await request.form()).items()})
        self.requests.append(params.get("cmd", ""))
        self.queries.append(request.url.query)
        if self.faults.latency:
            await asyncio.sleep(self.faults.latency)
        if self.faults.hang:
            while self.faults.hang:
                await asyncio.sleep(0.05)
        if self.faults.html:
            return HTMLResponse("<!doctype html><html><head><title>Tautulli - Login</title></head></html>")
        if self.faults.status is not None:
            return _error("Internal server error", self.faults.status)
        if "apikey" not in params:
            return _error("Parameter apikey is required")
        if params["apikey"] != self.api_key:
            return _error("Invalid apikey")
        command = params.get("cmd")
        if command == "get_tautulli_info":
            return _success({"tautulli_version": VERSION, "tautulli_platform": "Linux", "tautulli_python_version": "3.11"})
        if command == "get_server_identity":
            return _success({"machine_identifier": self.machine_identifier, "version": "1.41.3.9314"})
        if command == "get_users":
            return _success(self.users)
        if command == "get_history":
            return self._history(params)
        return _error(f"Unknown command: {command}")

    def _history(self, params: dict[str, str]) -> Response:
        try:
            start = int(params.get("start", 0))
            length = int(params.get("length", 25))
        except ValueError:
            return _error("Invalid start or length")
        order = params.get("order_column", "date")
        if order not in ORDER_COLUMNS or start < 0 or not 0 < length <= MAX_LENGTH:
            return _error("Invalid parameters for get_history")
        ascending = params.get("order_dir", "desc") == "asc"
        rows = sorted(self.rows, key=lambda r: (r.get(order) or 0, r["id"]), reverse=not ascending)
        data = {
            "draw": int(params.get("draw", 1) or 1),
            "recordsTotal": len(self.rows),
            "recordsFiltered": len(rows),
            "total_duration": "0 mins",
            "filter_duration": "0 mins",
            "data": rows[start : start + length],
        }
        return _success(data)


def _success(data: Any) -> JSONResponse:
    return JSONResponse({"response": {"result": "success", "message": None, "data": data}})


def _error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"response": {"result": "error", "message": message, "data": {}}}, status_code=status)


def item_row(item: Any, account_id: int, account_name: str, stopped: int) -> dict[str, Any]:
    """A finished session of a Plex simulator item as a Tautulli history row."""
    duration = max(int((item.duration or 0) / 1000), 60)
    episode = item.type == "episode"
    return {
        "date": stopped - duration,
        "started": stopped - duration,
        "stopped": stopped,
        "duration": duration,
        "paused_counter": 0,
        "user_id": account_id,
        "user": account_name,
        "friendly_name": account_name,
        "platform": "Chrome",
        "player": "Plex Web",
        "ip_address": "192.168.1.23",
        "live": 0,
        "media_type": item.type,
        "rating_key": item.rating_key,
        "parent_rating_key": item.parent.rating_key if episode and item.parent else "",
        "grandparent_rating_key": item.show.rating_key if episode else "",
        "full_title": f"{item.show.title} - {item.title}" if episode else item.title,
        "title": item.title,
        "parent_title": item.parent.title if episode and item.parent else "",
        "grandparent_title": item.show.title if episode else "",
        "original_title": "",
        "year": item.year or "",
        "media_index": item.index if episode else "",
        "parent_media_index": item.parent.index if episode and item.parent else "",
        "thumb": item.thumb,
        "originally_available_at": "",
        "guid": item.guid,
        "transcode_decision": "direct play",
        "percent_complete": 100,
        "watched_status": 1,
        "group_count": 1,
        "group_ids": "",
        "state": None,
        "session_key": None,
    }
