"""People and sign-in: accounts, browser sessions and invite links."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from smartplex.models.base import fk, flag, num, utcnow


class Role(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"


class User(SQLModel, table=True):
    """A person. Someone who came from Plex (signed in with Plex, or imported from the server's shares) may have
    no email and no password yet: they sign in with Plex, or set both through an invite link."""

    __tablename__ = "user"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    email: str | None = Field(default=None, max_length=254, unique=True, index=True)
    role: str = Field(default=Role.MEMBER, max_length=16)
    password_hash: str | None = Field(default=None, max_length=255)
    # The plex.tv account whose plays are this person's; one person per account.
    plex_account_id: int | None = Field(default=None, index=True, unique=True)
    plex_username: str | None = Field(default=None, max_length=255)
    webhook_secret_hash: str | None = Field(default=None, max_length=64, unique=True)
    webhook_secret_encrypted: str | None = Field(default=None, max_length=512)
    is_active: bool = flag(True)
    time_zone: str | None = Field(default=None, max_length=64)  # IANA name; None until the browser reports one
    # The server the member's pages show; None: every server they reach, merged. (No foreign key: `server`
    # already points at `user`, and a removed or forgotten choice simply falls back to all.)
    chosen_server_id: int | None = None
    last_login_at: datetime | None = None
    login_count: int = num(0)
    created_at: datetime = Field(default_factory=utcnow)


class AuthSession(SQLModel, table=True):
    """A login. The browser holds only the random token; we store its hash."""

    __tablename__ = "auth_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = fk("user.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)
    ip: str | None = Field(default=None, max_length=64)


class Invite(SQLModel, table=True):
    """A one-time link that lets a member set their own password."""

    __tablename__ = "invite"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    role: str = Field(default=Role.MEMBER, max_length=16)
    name: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=254)
    plex_account_id: int | None = None
    plex_username: str | None = Field(default=None, max_length=255)
    created_by: int = fk("user.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    used_by: int | None = fk("user.id", ondelete="SET NULL", nullable=True, index=False)
    # The member this invite lets set an email and password (one imported from Plex); None: it creates an account.
    user_id: int | None = fk("user.id", nullable=True, index=False)


class ApiToken(SQLModel, table=True):
    """A token an admin made for scripts and monitors (`Authorization: Bearer …`). Shown once; we keep its SHA-256
    and its first characters, so the admin can tell tokens apart. It acts as its admin while they are one."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = fk("user.id")
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
