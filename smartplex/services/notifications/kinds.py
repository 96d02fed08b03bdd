"""The kinds of notification: what each is about, who may get it, and its icon. A person can switch each off."""

from __future__ import annotations

from dataclasses import dataclass

REQUEST_APPROVED = "request_approved"
REQUEST_DECLINED = "request_declined"
REQUEST_AVAILABLE = "request_available"
NEW_IN_GENRES = "new_in_genres"
ANNOUNCEMENT = "announcement"
INTEGRATION_HEALTH = "integration_health"
SYNC_FAILED = "sync_failed"
WEBHOOKS_SILENT = "webhooks_silent"
STORAGE = "storage"
TEST = "test"  # a delivery a person asked for to try a destination; never a notification


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    about: str
    icon: str  # lucide
    admin: bool = False  # only admins get it (and see its switch)


KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        Kind(REQUEST_AVAILABLE, "Requests on the server", "A title you requested can be watched now.", "circle-check"),
        Kind(REQUEST_APPROVED, "Requests approved", "The admin approved a request of yours.", "thumbs-up"),
        Kind(REQUEST_DECLINED, "Requests declined", "A request of yours was declined or could not be fetched.", "circle-x"),
        Kind(NEW_IN_GENRES, "New in your genres", "Once a day at most: new titles in the genres you watch most.", "sparkles"),
        Kind(ANNOUNCEMENT, "Announcements", "News the admin sends to everyone.", "megaphone"),
        Kind(INTEGRATION_HEALTH, "Integration down or back", "Plex, Overseerr / Seerr, Tautulli or the AI provider "
             "stopped answering, refused its key, or came back.", "plug-zap", admin=True),  # fmt: skip
        Kind(SYNC_FAILED, "Syncs failing", "A Plex server's sync failed twice in a row.", "refresh-cw-off", admin=True),
        Kind(WEBHOOKS_SILENT, "Plex webhooks stopped", "No Plex webhook for longer than you set (they stop silently "
             "when Plex Pass lapses).", "webhook", admin=True),  # fmt: skip
        Kind(STORAGE, "Disk and database size", "The database grew past, or free disk space fell below, your limit.",
             "hard-drive", admin=True),  # fmt: skip
    )
}

MEMBER_KINDS = tuple(k for k in KINDS if not KINDS[k].admin)
ADMIN_KINDS = tuple(k for k in KINDS if KINDS[k].admin)


def for_role(is_admin: bool) -> list[Kind]:
    """The kinds a person of that role can get, in the order pages show them."""
    return [k for k in KINDS.values() if is_admin or not k.admin]


def icon(kind: str) -> str:
    """The kind's icon; a bell for kinds this version does not know (rows written before them)."""
    found = KINDS.get(kind)
    return found.icon if found else "bell"
