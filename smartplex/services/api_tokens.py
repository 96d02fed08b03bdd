"""API tokens for scripts and monitors: an admin makes one (shown once), uses it as `Authorization: Bearer <token>`
on the admin API routes, and revokes it. Only its SHA-256 is stored (a database leak yields no tokens); a token
acts as its admin, and stops working the moment they are no longer an active admin."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import col, select

from smartplex.db import session, write_transaction
from smartplex.models import API_TOKENS, ApiToken, User, iso, utcnow
from smartplex.services import auth
from smartplex.services.auth import UserView

PREFIX = "spx_"
MAX_TOKENS = 20
TOUCH_EVERY_SECONDS = 60  # last_used_at is written at most this often per token


class TokenError(ValueError):
    """A token cannot be made as asked; the message is safe to show."""


@dataclass(frozen=True)
class TokenView:
    id: int
    name: str
    hint: str  # the token's first characters, to tell tokens apart
    created_at: str
    last_used_at: str | None


def _view(row: ApiToken) -> TokenView:
    return TokenView(row.id or 0, row.name, f"{row.prefix}…", row.created_at.isoformat(), iso(row.last_used_at))


def create(actor_id: int, name: str) -> tuple[TokenView, str]:
    """A new token for the acting admin; (its view, the token itself, to be shown once)."""
    clean = " ".join((name or "").split())
    if not clean or len(clean) > 100:
        raise TokenError("Name the token (what will use it), in at most 100 characters.")
    token = PREFIX + secrets.token_urlsafe(32)
    with session() as s:
        auth.require_admin(s, actor_id)
        if len(s.exec(select(ApiToken.id).where(ApiToken.user_id == actor_id)).all()) >= MAX_TOKENS:
            raise TokenError(f"Keep at most {MAX_TOKENS} tokens; revoke one first.")
        row = ApiToken(user_id=actor_id, name=clean, token_hash=auth.token_hash(token), prefix=token[: len(PREFIX) + 4])
        s.add(row)
        s.flush()
        return _view(row), token


def mine(actor_id: int) -> list[TokenView]:
    with session() as s:
        auth.require_admin(s, actor_id)
        rows = s.exec(select(ApiToken).where(ApiToken.user_id == actor_id).order_by(col(ApiToken.id).desc())).all()
        return [_view(r) for r in rows]


def revoke(actor_id: int, token_id: int) -> None:
    with session() as s:
        auth.require_admin(s, actor_id)
        s.exec(sa.delete(ApiToken).where(col(ApiToken.id) == token_id, col(ApiToken.user_id) == actor_id))


def user_for_token(token: str | None) -> UserView | None:
    """The active user a bearer token acts as, or None (unknown, malformed, revoked)."""
    if not token or not token.startswith(PREFIX) or len(token) > 128:
        return None
    now = utcnow()
    with session() as s:
        found = s.exec(
            select(ApiToken, User).join(User, col(User.id) == ApiToken.user_id)
            .where(ApiToken.token_hash == auth.token_hash(token), col(User.is_active))
        ).first()  # fmt: skip
        if found is None:
            return None
        row, user = found
        last_used = row.last_used_at
    if last_used is None or (now - last_used).total_seconds() > TOUCH_EVERY_SECONDS:
        with write_transaction() as conn:
            conn.execute(API_TOKENS.update().where(API_TOKENS.c.id == row.id).values(last_used_at=now))
    return UserView.of(user)
