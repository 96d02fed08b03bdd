""""Play in Plex": links that open a title in Plex Web, on app.plex.tv or on the server's own web address.

A link names the server by its machine identifier and the title by its metadata key, URL-encoded, as Plex
Web's own links do (`#!/server/{machineIdentifier}/details?key=%2Flibrary%2Fmetadata%2F{ratingKey}`). It never
carries a token: Plex Web signs the member in itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from smartplex.db import session
from smartplex.models import Server
from smartplex.services import preferences

APP_PLEX = "https://app.plex.tv/desktop"


def play_url(machine_id: str, rating_key: str, web_base: str | None = None) -> str:
    """The title's page in Plex Web: on app.plex.tv, or under `web_base` (the server's own address) when given."""
    key = quote(f"/library/metadata/{rating_key}", safe="")
    base = f"{web_base.rstrip('/')}/web/index.html" if web_base else APP_PLEX
    return f"{base}#!/server/{quote(machine_id, safe='')}/details?key={key}"


@dataclass(frozen=True)
class PlayLinks:
    """The play links of one server, read once per page load."""

    machine_id: str
    web_base: str | None = None

    def url(self, rating_key: str | None) -> str:
        """"" when the title or the server is unknown (no link rather than a wrong one)."""
        if not rating_key or not self.machine_id:
            return ""
        return play_url(self.machine_id, rating_key, self.web_base)


NO_LINKS = PlayLinks("")


def for_server(server_id: int) -> PlayLinks:
    """The server's links, on the web address the admin prefers (preferences.plex_web_url), else app.plex.tv."""
    with session() as s:
        server = s.get(Server, server_id)
        machine_id = server.machine_id if server is not None else ""
    return PlayLinks(machine_id, preferences.plex_web_url())
