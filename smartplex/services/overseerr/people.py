"""Which Seerr user each SmartPlex person acts as (`X-API-User`), so Seerr's own permissions, quotas and
auto-approve apply to that person and not to the admin's key.

Kept in the Seerr integration's settings: `user_map` = {SmartPlex user id: [Seerr user id, how]} where `how` is
"plex" or "email" (matched automatically) or "admin" (set by hand; 0 = deliberately not linked), and
`seerr_users` = the Seerr users seen at the last refresh, for the admin's picker. A refresh fills in people
without a link, never changing one the admin set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from smartplex.db import session
from smartplex.models import IntegrationKind, User
from smartplex.services import auth
from smartplex.services.integrations import store
from smartplex.services.overseerr import gateway, wire

KIND = IntegrationKind.OVERSEERR
PAGE = 100
MAX_USERS = 5_000


class MappingError(ValueError):
    """A link cannot be made as asked; the message is safe to show."""


@dataclass(frozen=True)
class SeerrUserOption:
    id: int
    name: str
    email: str


@dataclass(frozen=True)
class PersonLink:
    """A SmartPlex person and the Seerr user they act as (0 = none)."""

    user_id: int
    name: str
    email: str
    seerr_user_id: int
    seerr_name: str
    how: str  # plex | email | admin | "" (not linked)


def _settings() -> dict[str, Any]:
    view = store.get(KIND)
    return view.settings if view is not None else {}


def _user_map(settings: dict[str, Any]) -> dict[int, tuple[int, str]]:
    found: dict[int, tuple[int, str]] = {}
    for key, value in (settings.get("user_map") or {}).items():
        if isinstance(value, list) and len(value) == 2 and str(key).isdigit() and isinstance(value[0], int):
            found[int(key)] = (value[0], str(value[1]))
    return found


def _options(settings: dict[str, Any]) -> list[SeerrUserOption]:
    return [
        SeerrUserOption(int(u["id"]), str(u.get("name", "")), str(u.get("email", "")))
        for u in settings.get("seerr_users") or []
        if isinstance(u, dict) and isinstance(u.get("id"), int)
    ]


def seerr_user_for(user_id: int) -> int | None:
    """The Seerr user a SmartPlex person acts as; None when not linked."""
    found = _user_map(_settings()).get(user_id)
    return found[0] if found and found[0] > 0 else None


def person_for_seerr(seerr_user_id: int | None) -> int | None:
    """The SmartPlex person linked to a Seerr user (the lowest id when several are)."""
    if not seerr_user_id:
        return None
    people = sorted(uid for uid, (sid, _) in _user_map(_settings()).items() if sid == seerr_user_id)
    return people[0] if people else None


def person_for_email(email: str | None) -> int | None:
    """The SmartPlex person behind a Seerr requester's email: via the Seerr user it belongs to, else the person
    with that email."""
    clean = (email or "").strip().lower()
    if not clean:
        return None
    seerr_id = next((o.id for o in _options(_settings()) if o.email == clean), None)
    found = person_for_seerr(seerr_id)
    if found is not None:
        return found
    with session() as s:
        return s.exec(select(User.id).where(User.email == clean)).first()


def fetch_users() -> list[wire.User]:
    """Every Seerr user (paged), as Seerr's admin."""
    found: list[wire.User] = []
    while len(found) < MAX_USERS:
        page, total = gateway.call(lambda c: wire.users(c.users(take=PAGE, skip=len(found))))
        found += page
        if not page or len(found) >= total:
            break
    return found


def match(people: list[User], seerr_users: list[wire.User]) -> dict[int, tuple[int, str]]:
    """Automatic links: the Seerr user with the person's Plex account id, else with their email."""
    by_plex = {u.plex_id: u.id for u in seerr_users if u.plex_id}
    by_email = {u.email: u.id for u in seerr_users if u.email}
    links: dict[int, tuple[int, str]] = {}
    for person in people:
        if person.id is None:
            continue
        if person.plex_account_id and person.plex_account_id in by_plex:
            links[person.id] = (by_plex[person.plex_account_id], "plex")
        elif person.email and person.email.lower() in by_email:  # people from Plex may have no email
            links[person.id] = (by_email[person.email.lower()], "email")
    return links


def refresh(actor_id: int | None = None) -> list[PersonLink]:
    """Read Seerr's users and link everyone not linked yet. `actor_id`: the admin asking (None: the poll)."""
    if actor_id is not None:
        with session() as s:
            auth.require_admin(s, actor_id)
    seerr_users = fetch_users()
    with session() as s:
        people = list(s.exec(select(User).where(col(User.is_active).is_(True))).all())
    current = _user_map(_settings())
    known = {u.id for u in seerr_users}
    kept = {uid: link for uid, link in current.items() if link[1] == "admin" or link[0] in known}
    for uid, link in match(people, seerr_users).items():
        if uid not in kept or kept[uid][1] != "admin":
            kept[uid] = link
    store.put_settings(KIND, {
        "user_map": {str(uid): [sid, how] for uid, (sid, how) in kept.items()},
        "seerr_users": [{"id": u.id, "name": u.name, "email": u.email} for u in seerr_users],
    })  # fmt: skip
    return links()


def link(actor_id: int, user_id: int, seerr_user_id: int) -> list[PersonLink]:
    """Link a person to a Seerr user by hand (0 = not linked, and not linked automatically either)."""
    with session() as s:
        auth.require_admin(s, actor_id)
        if s.get(User, user_id) is None:
            raise MappingError("No such person.")
    settings = _settings()
    if seerr_user_id and seerr_user_id not in {o.id for o in _options(settings)}:
        raise MappingError("Overseerr / Seerr has no such user. Refresh the list and pick again.")
    current = _user_map(settings)
    current[user_id] = (seerr_user_id, "admin")
    store.put_settings(KIND, {"user_map": {str(uid): [sid, how] for uid, (sid, how) in current.items()}})
    return links()


def options() -> list[SeerrUserOption]:
    return _options(_settings())


def links() -> list[PersonLink]:
    """Every active SmartPlex person with their Seerr user, by name."""
    settings = _settings()
    names = {o.id: o.name for o in _options(settings)}
    current = _user_map(settings)
    with session() as s:
        people = s.exec(select(User).where(col(User.is_active).is_(True)).order_by(col(User.name))).all()
    rows = []
    for person in people:
        sid, how = current.get(person.id or 0, (0, ""))
        rows.append(PersonLink(person.id or 0, person.name, person.email or "", sid, names.get(sid, "") if sid else "", how))
    return rows
