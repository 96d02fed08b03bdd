"""Builders for test data, written to the real test database: servers, people, library items, shows and plays.

Each takes only what a test cares about; the rest gets a plain default (fresh rating keys, no password hashing
for people who never sign in, a server whose stored address answers nothing).
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from smartplex.db import session
from smartplex.models import MediaItem, Role, User, WatchEvent
from smartplex.services import text
from smartplex.services.plex import servers
from smartplex.simulators.plex import PlexSimulator

NOWHERE = "http://127.0.0.1:9"  # a stored address nothing answers on
_serial = itertools.count(1)


def server(
    owner_id: int,
    name: str = "Home",
    *,
    machine_id: str | None = None,
    urls: list[str] | None = None,
    preferred: str | None = None,
    token: str = "plex-token",
    version: str | None = None,
) -> int:
    """A connected Plex server (token encrypted, as the wizard stores it); its id."""
    urls = urls or [NOWHERE]
    view = servers.save_server(
        owner_id, name=name, machine_id=machine_id or f"machine-{name}", urls=urls, preferred_url=preferred or urls[0],
        token=token, version=version,
    )  # fmt: skip
    return view.id


def simulated_server(owner_id: int, sim: PlexSimulator, urls: list[str] | None = None, preferred: str | None = None) -> int:
    """The Plex simulator as the owner's connected server (by default at its own address); its id."""
    return server(
        owner_id, sim.friendly_name, machine_id=sim.machine_identifier, urls=urls or [sim.url], preferred=preferred,
        token=sim.token, version="1.41.3",
    )  # fmt: skip


def person(name: str, plex_account_id: int | None = None, *, role: str = Role.MEMBER) -> int:
    """A member who never signs in (no password hash is computed); their id."""
    with session() as s:
        user = User(
            name=name,
            email=f"{name.replace(' ', '.').lower()}@example.com",
            role=role,
            password_hash="!",
            plex_account_id=plex_account_id,
        )
        s.add(user)
        s.flush()
        return user.id or 0


def rating_key() -> str:
    """A rating key no other builder hands out in this test run."""
    return str(next(_serial) + 10_000)


def item(server_id: int, title: str, type: str = "movie", **fields: Any) -> int:
    """A library item with a fresh rating key unless given; its id."""
    fields.setdefault("rating_key", rating_key())
    above = {"episode": fields.get("grandparent_title"), "season": fields.get("parent_title")}.get(type)
    fields.setdefault("search_key", text.search_key(title, above))  # as plex.parse stores it
    with session() as s:
        row = MediaItem(server_id=server_id, type=type, title=title, **fields)
        s.add(row)
        s.flush()
        return row.id or 0


def show(
    server_id: int,
    title: str,
    episodes: int = 2,
    *,
    season_fields: dict[str, Any] | None = None,
    episode_fields: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> tuple[int, list[int]]:
    """A show with one season of `episodes`, linked by rating keys as Plex links them; (show id, episode ids).

    `fields` go to the show, `season_fields` to its season, `episode_fields[n]` to episode n+1.
    """
    show_key = fields.pop("rating_key", None) or f"show-{next(_serial)}"
    show_id = item(server_id, title, "show", rating_key=show_key, **fields)
    season_key = f"season-{next(_serial)}"
    item(
        server_id, "Season 1", "season", rating_key=season_key, parent_rating_key=show_key, parent_title=title,
        item_index=1, **(season_fields or {}),
    )  # fmt: skip
    episode_ids = []
    for n in range(1, episodes + 1):
        extra = (episode_fields or [{}] * episodes)[n - 1]
        episode_ids.append(
            item(
                server_id, f"Episode {n}", "episode", grandparent_rating_key=show_key, grandparent_title=title,
                parent_rating_key=season_key, parent_title="Season 1", parent_index=1, item_index=n, **extra,
            )  # fmt: skip
        )
    return show_id, episode_ids


def play(
    server_id: int,
    user_id: int | None,
    item_id: int | None,
    when: datetime,
    event: str = "scrobble",
    progress: float = 1.0,
    **fields: Any,
) -> None:
    """One watch event (by default a finished play) with a unique dedupe key."""
    fields.setdefault("rating_key", None if item_id is None else str(item_id))
    fields.setdefault("source", "webhook")
    with session() as s:
        s.add(
            WatchEvent(
                server_id=server_id, user_id=user_id, media_item_id=item_id, event=event, viewed_at=when,
                progress=progress, dedupe_key=f"event-{next(_serial)}", **fields,
            )  # fmt: skip
        )
