"""Each person's on/off switch per kind of notification. Off means not at all: not in the app, not outside it."""

from __future__ import annotations

import sqlalchemy as sa

from smartplex.db import dialect_insert, reading, write_transaction
from smartplex.models import PREFERENCES, utcnow
from smartplex.services.notifications.kinds import KINDS, for_role

P = PREFERENCES


class SwitchError(ValueError):
    """A switch that does not exist for this person; the message is safe to show."""


def wants(conn: sa.Connection, user_id: int, kind: str) -> bool:
    """Whether the person gets notifications of `kind` (on unless switched off)."""
    enabled = conn.execute(sa.select(P.c.enabled).where(P.c.user_id == user_id, P.c.kind == kind)).scalar()
    return enabled is None or bool(enabled)


def current(user_id: int, is_admin: bool) -> dict[str, bool]:
    """Every kind the person can get, and whether it is on."""
    with reading() as conn:
        stored = dict(conn.execute(sa.select(P.c.kind, P.c.enabled).where(P.c.user_id == user_id)).all())
    return {k.key: bool(stored.get(k.key, True)) for k in for_role(is_admin)}


def set_enabled(user_id: int, is_admin: bool, kind: str, enabled: bool) -> None:
    known = KINDS.get(kind)
    if known is None or (known.admin and not is_admin):
        raise SwitchError("There is no such kind of notification.")
    with write_transaction() as conn:
        conn.execute(
            dialect_insert(conn.dialect.name)(P)
            .values(user_id=user_id, kind=kind, enabled=bool(enabled), updated_at=utcnow())
            .on_conflict_do_update(index_elements=["user_id", "kind"], set_={"enabled": bool(enabled), "updated_at": utcnow()})
        )
