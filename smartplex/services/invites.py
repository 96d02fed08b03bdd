"""Invites: one-time links an admin hands out, for a new account or for a member imported from Plex to set their
email and password. Only the SHA-256 of a link's token is stored; accepting one is exactly-once."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from smartplex.config import get_settings
from smartplex.db import session
from smartplex.log import get_logger
from smartplex.models import Invite, Role, User, utcnow
from smartplex.services.auth import (
    EMAIL_RE,
    AuthError,
    UserView,
    ValidationError,
    hash_password,
    require_admin,
    start_session,
    token_hash,
    validate_account,
)

log = get_logger(__name__)


@dataclass(frozen=True)
class InviteView:
    id: int
    role: str
    name: str | None
    email: str | None
    created_at: str
    expires_at: str
    used: bool
    expired: bool
    for_member: bool = False  # sets up an existing member (one imported from Plex) instead of creating an account

    @classmethod
    def of(cls, invite: Invite, now: datetime) -> InviteView:
        return cls(
            id=invite.id or 0,
            role=invite.role,
            name=invite.name,
            email=invite.email,
            created_at=invite.created_at.isoformat(),
            expires_at=invite.expires_at.isoformat(),
            used=invite.used_at is not None,
            expired=invite.expires_at <= now,
            for_member=invite.user_id is not None,
        )


def create(actor_id: int, role: str = Role.MEMBER, name: str | None = None, email: str | None = None) -> str:
    """Create a one-time invite and return its raw token (shown once, as a link)."""
    if role not in (Role.MEMBER, Role.ADMIN):
        raise ValidationError({"role": "Choose member or admin."})
    name = (name or "").strip()[:100] or None
    email = (email or "").strip().lower() or None
    if email and (len(email) > 254 or not EMAIL_RE.match(email)):
        raise ValidationError({"email": "Enter a valid email address, or leave it empty."})
    with session() as s:
        require_admin(s, actor_id)
        token = issue(s, actor_id, role=role, name=name, email=email)
    log.info("invite_created", user_id=actor_id, role=role)
    return token


def issue(
    s: Session, actor_id: int, *, role: str = Role.MEMBER, name: str | None = None, email: str | None = None,
    member: User | None = None,
) -> str:  # fmt: skip
    """Add a one-time invite in the caller's transaction (the caller checked who may); its raw token. With
    `member` it lets that existing member set their email and password, and keeps their role."""
    token = secrets.token_urlsafe(32)
    s.add(
        Invite(
            token_hash=token_hash(token),
            role=member.role if member else role,
            name=member.name if member else name,
            email=member.email if member else email,
            user_id=member.id if member else None,
            created_by=actor_id,
            expires_at=utcnow() + get_settings().invite_ttl,
        )
    )
    return token


def recent(actor_id: int) -> list[InviteView]:
    now = utcnow()
    with session() as s:
        require_admin(s, actor_id)
        rows = s.exec(select(Invite).order_by(col(Invite.created_at).desc(), col(Invite.id).desc()).limit(50)).all()
        return [InviteView.of(i, now) for i in rows]


def revoke(actor_id: int, invite_id: int) -> None:
    with session() as s:
        require_admin(s, actor_id)
        s.exec(sa.delete(Invite).where(col(Invite.id) == invite_id, col(Invite.used_at).is_(None)))


def _open(s: Session, token: str | None) -> Invite:
    if not token or len(token) > 256:
        raise AuthError("This invite link is not valid.")
    invite = s.exec(select(Invite).where(Invite.token_hash == token_hash(token))).first()
    if invite is None:
        raise AuthError("This invite link is not valid.")
    if invite.used_at is not None:
        raise AuthError("This invite link has already been used.")
    if invite.expires_at <= utcnow():
        raise AuthError("This invite link has expired. Ask your admin for a new one.")
    return invite


def peek(token: str | None) -> InviteView:
    """Describe a usable invite (for the signup form) or raise AuthError."""
    with session() as s:
        return InviteView.of(_open(s, token), utcnow())


def accept(token: str | None, name: object, email: object, password: object, confirm: object, ip: str = "") -> tuple[UserView, str]:
    """Create the invited account (or complete the member it was made for) and sign it in; the invite is consumed
    exactly once."""
    clean_name, clean_email, raw_password = validate_account(name, email, password, confirm)
    peek(token)  # refuse made-up tokens before spending an argon2 hash on them
    password_hash = hash_password(raw_password)
    with session() as s:
        invite = _open(s, token)
        member = s.get(User, invite.user_id) if invite.user_id is not None else None
        if invite.user_id is not None and (member is None or not member.is_active):
            raise AuthError("This invite link is not valid.")
        taken = s.exec(select(User.id).where(User.email == clean_email)).first()
        if taken is not None and (member is None or taken != member.id):
            raise ValidationError({"email": "An account with this email already exists."})
        claimed = s.exec(
            sa.update(Invite)
            .where(col(Invite.id) == invite.id, col(Invite.used_at).is_(None))
            .values(used_at=utcnow())
        )
        if claimed.rowcount != 1:
            raise AuthError("This invite link has already been used.")
        user = member or User(
            role=invite.role, plex_account_id=invite.plex_account_id, plex_username=invite.plex_username
        )
        user.name, user.email, user.password_hash = clean_name, clean_email, password_hash
        s.add(user)
        s.flush()
        s.exec(sa.update(Invite).where(col(Invite.id) == invite.id).values(used_by=user.id))
        token_value = start_session(s, user, ip)
    log.info("invite_accepted", user_id=user.id, role=user.role, existing_member=member is not None)
    return UserView.of(user), token_value
