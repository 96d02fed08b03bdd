"""Accounts: the first admin, login with rate limits, sessions and roles (invites are services.invites).

Passwords are hashed with argon2 through passlib (the maintained `libpass` fork). Browser tokens
(sessions, invites) are random; only their SHA-256 is stored, so a database leak yields no logins.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from passlib.context import CryptContext
from sqlmodel import Session, col, func, select

from smartplex.config import get_settings
from smartplex.db import session
from smartplex.log import get_logger
from smartplex.models import USERS, AuthSession, Role, User, iso, utcnow
from smartplex.services import ratelimit

log = get_logger(__name__)

@functools.cache
def _context(memory_kib: int, rounds: int) -> CryptContext:
    return CryptContext(
        schemes=["argon2"], deprecated="auto", argon2__memory_cost=memory_kib, argon2__rounds=rounds,
        argon2__parallelism=4,
    )  # fmt: skip


def password_context() -> CryptContext:
    """argon2id at the configured cost (by default 64 MiB, 3 rounds: ~0.2 s here). A hash made at another cost
    still verifies and is redone at this one on the next sign-in."""
    settings = get_settings()
    return _context(settings.argon2_memory_kib, settings.argon2_rounds)


@functools.cache
def _dummy_hash(context: CryptContext) -> str:
    """Verified against when the account does not exist, so unknown users cost the same time.
    Made on first use, not at import: an argon2 hash costs ~0.2 s and a burst of memory."""
    return context.hash(secrets.token_urlsafe(16))

MAX_FIELD = 1024
MIN_PASSWORD = 8
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
BAD_LOGIN = "Wrong email or password."
SESSION_COOKIE = "sp_session"  # the browser's session token (see state.auth); the image route reads it too


class ValidationError(Exception):
    """Field-level problems, keyed by field name, each a message to show next to the field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class AuthError(Exception):
    """A refused login, signup or privileged action; the message is safe to show."""

    def __init__(self, message: str, retry_after: int = 0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class UserView:
    """What the browser may know about a user: never the hash, never a secret."""

    id: int
    name: str
    email: str
    role: str
    plex_username: str | None = None
    plex_account_id: int | None = None
    last_login_at: str | None = None
    login_count: int = 0
    created_at: str = ""
    time_zone: str = ""  # IANA name; "" until the browser reports one (read as UTC)
    has_password: bool = True  # False: came from Plex and signs in with Plex (or sets one through an invite)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @classmethod
    def of(cls, user: User) -> UserView:
        return cls(
            id=user.id or 0,
            name=user.name,
            email=user.email or "",
            role=user.role,
            plex_username=user.plex_username,
            plex_account_id=user.plex_account_id,
            last_login_at=iso(user.last_login_at),
            login_count=user.login_count,
            created_at=user.created_at.isoformat(),
            time_zone=user.time_zone or "",
            has_password=user.password_hash is not None,
        )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    return password_context().hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return password_context().verify(password, password_hash)
    except (ValueError, TypeError):
        return False


# --- validation -------------------------------------------------------------------------------


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def name_problem(clean_name: str) -> str | None:
    """What is wrong with a display name (already stripped), or None."""
    if not clean_name:
        return "Enter your name."
    if len(clean_name) > 100:
        return "Use at most 100 characters."
    if CONTROL_RE.search(clean_name):
        return "The name contains invalid characters."
    return None


def password_problem(raw_password: str) -> str | None:
    """What is wrong with a new password, or None."""
    if not raw_password:
        return "Choose a password."
    if len(raw_password) > MAX_FIELD:
        return f"Use at most {MAX_FIELD} characters."
    if len(raw_password) < MIN_PASSWORD:
        return f"Use at least {MIN_PASSWORD} characters."
    if CONTROL_RE.search(raw_password):
        return "The password contains invalid characters."
    return None


def validate_account(name: object, email: object, password: object, confirm: object) -> tuple[str, str, str]:
    """Check signup fields; returns cleaned (name, email, password) or raises ValidationError."""
    errors: dict[str, str] = {}
    clean_name, clean_email = _text(name), _text(email).lower()
    raw_password = password if isinstance(password, str) else ""
    if problem := name_problem(clean_name):
        errors["name"] = problem
    if not clean_email:
        errors["email"] = "Enter your email address."
    elif len(clean_email) > 254:
        errors["email"] = "Use at most 254 characters."
    elif not EMAIL_RE.match(clean_email) or CONTROL_RE.search(clean_email):
        errors["email"] = "Enter a valid email address, like you@example.com."
    if problem := password_problem(raw_password):
        errors["password"] = problem
    elif raw_password != confirm:
        errors["confirm"] = "The passwords do not match."
    if errors:
        raise ValidationError(errors)
    return clean_name, clean_email, raw_password


def validate_login(email: object, password: object) -> tuple[str, str]:
    errors: dict[str, str] = {}
    clean_email = _text(email).lower()
    raw_password = password if isinstance(password, str) else ""
    if not clean_email:
        errors["email"] = "Enter your email address."
    elif len(clean_email) > 254 or not EMAIL_RE.match(clean_email) or CONTROL_RE.search(clean_email):
        errors["email"] = "Enter a valid email address."
    if not raw_password:
        errors["password"] = "Enter your password."
    elif len(raw_password) > MAX_FIELD:
        errors["password"] = f"Use at most {MAX_FIELD} characters."
    if errors:
        raise ValidationError(errors)
    return clean_email, raw_password


# --- first admin ------------------------------------------------------------------------------


def has_users() -> bool:
    with session() as s:
        return s.exec(select(func.count()).select_from(User)).one() > 0


def _lock_users(s: Session) -> None:
    """Serialise signups that depend on 'no users yet' (SQLite serialises writers already)."""
    if s.get_bind().dialect.name == "postgresql":
        s.exec(sa.text('LOCK TABLE "user" IN SHARE ROW EXCLUSIVE MODE'))


def create_first_admin(name: object, email: object, password: object, confirm: object) -> UserView:
    """Create the admin account; refused once any user exists, however it is called."""
    clean_name, clean_email, raw_password = validate_account(name, email, password, confirm)
    password_hash = hash_password(raw_password)
    with session() as s:
        _lock_users(s)
        inserted = s.exec(
            sa.insert(User)
            .from_select(
                ["name", "email", "role", "password_hash", "is_active", "login_count", "created_at"],
                sa.select(
                    sa.literal(clean_name),
                    sa.literal(clean_email),
                    sa.literal(Role.ADMIN.value),
                    sa.literal(password_hash),
                    sa.true(),
                    sa.literal(0),
                    sa.literal(utcnow(), type_=USERS.c.created_at.type),
                ).where(~sa.exists().where(USERS.c.id.isnot(None))),
            )
            .returning(USERS.c.id)
        ).first()
        if inserted is None:
            raise AuthError("SmartPlex already has an admin. Sign in instead.")
        user = s.get(User, inserted[0])
    log.info("admin_created", user_id=user.id)
    return UserView.of(user)


# --- login and sessions -----------------------------------------------------------------------


def _login_limits(clean_email: str, ip: str) -> list[tuple[ratelimit.RateLimitItem, str]]:
    """(rule, key) per counter: the account's, and the address's with a higher limit, because one address
    can be a whole household behind NAT and one member's typos must not lock the others out."""
    settings = get_settings()
    window = int(settings.login_window.total_seconds())
    return [
        (ratelimit.rule(f"{settings.login_attempts}/{window} seconds"), f"login:account:{clean_email}"),
        (ratelimit.rule(f"{settings.login_ip_attempts}/{window} seconds"), f"login:ip:{ip or 'unknown'}"),
    ]


def login(email: object, password: object, ip: str = "") -> tuple[UserView, str]:
    """Check credentials and open a session; returns the user and the raw session token.

    Failures are counted per account and per IP; past either limit every attempt is refused with the
    seconds to wait, before the password is even looked at.
    """
    clean_email, raw_password = validate_login(email, password)
    limits = _login_limits(clean_email, ip)
    retry_after = max(ratelimit.check(rule, key).retry_after for rule, key in limits)
    if retry_after:
        log.warning("login_throttled", retry_after=retry_after)
        raise AuthError(f"Too many failed sign-ins. Try again in {retry_after} s.", retry_after)
    with session() as s:
        user = s.exec(select(User).where(User.email == clean_email)).first()
        dummy = _dummy_hash(password_context())  # made before the branch: the first unknown user costs no extra hash
        stored = user.password_hash if user and user.password_hash else dummy  # no password yet: same cost, refused
        ok = verify_password(raw_password, stored) and stored is not dummy
        if not (user and ok and user.is_active):
            for rule, key in limits:
                ratelimit.hit(rule, key)
            log.info("login_failed")
            raise AuthError(BAD_LOGIN)
        if password_context().needs_update(stored):
            user.password_hash = hash_password(raw_password)
        token = start_session(s, user, ip)
    log.info("login_succeeded", user_id=user.id)
    return UserView.of(user), token


def start_session(s: Session, user: User, ip: str) -> str:
    """Sign `user` in (however they proved who they are): count the sign-in and open a session; the raw token."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    user.last_login_at = now
    user.login_count += 1
    s.add(AuthSession(token_hash=token_hash(token), user_id=user.id, expires_at=now + get_settings().session_ttl, ip=ip[:64] or None))
    s.exec(sa.delete(AuthSession).where(col(AuthSession.expires_at) < now))
    return token


def user_for_session(token: str | None) -> UserView | None:
    """The signed-in user for a browser token, or None when missing, unknown or expired."""
    if not token or len(token) > 256:
        return None
    with session() as s:
        row = s.exec(
            select(User)
            .join(AuthSession, col(AuthSession.user_id) == col(User.id))
            .where(AuthSession.token_hash == token_hash(token), col(AuthSession.expires_at) > utcnow(), col(User.is_active))
        ).first()
        return UserView.of(row) if row else None


def logout(token: str | None) -> None:
    if token:
        with session() as s:
            s.exec(sa.delete(AuthSession).where(col(AuthSession.token_hash) == token_hash(token)))


# --- members, invites, roles ------------------------------------------------------------------


def require_admin(s: Session, actor_id: int) -> User:
    """The acting admin, or AuthError (services check the role themselves, whatever called them)."""
    actor = s.get(User, actor_id)
    if actor is None or actor.role != Role.ADMIN or not actor.is_active:
        log.warning("forbidden", actor_id=actor_id)
        raise AuthError("Only an admin can do that.")
    return actor


def user_by_email(email: str) -> UserView | None:
    with session() as s:
        user = s.exec(select(User).where(User.email == email.strip().lower())).first()
        return UserView.of(user) if user else None


def list_users(actor_id: int) -> list[UserView]:
    with session() as s:
        require_admin(s, actor_id)
        return [UserView.of(u) for u in s.exec(select(User).order_by(col(User.created_at), col(User.id)))]


def set_role(actor_id: int, user_id: int, role: str) -> UserView:
    if role not in (Role.MEMBER, Role.ADMIN):
        raise ValidationError({"role": "Choose member or admin."})
    with session() as s:
        _lock_users(s)
        require_admin(s, actor_id)
        user = s.get(User, user_id)
        if user is None:
            raise AuthError("No such user.")
        if user.role == Role.ADMIN and role != Role.ADMIN:
            admins = s.exec(select(func.count()).select_from(User).where(User.role == Role.ADMIN)).one()
            if admins <= 1:
                raise AuthError("SmartPlex needs at least one admin.")
        user.role = role
    log.info("role_changed", user_id=actor_id, target_user_id=user_id, role=role)
    return UserView.of(user)


def create_user(name: str, email: str, password: str, role: str = Role.MEMBER) -> UserView:
    """Operator path (CLI, demo, tests): create an account directly; the first one is always admin."""
    clean_name, clean_email, raw_password = validate_account(name, email, password, password)
    with session() as s:
        _lock_users(s)
        if s.exec(select(User).where(User.email == clean_email)).first():
            raise ValidationError({"email": "An account with this email already exists."})
        first = s.exec(select(func.count()).select_from(User)).one() == 0
        user = User(name=clean_name, email=clean_email, role=Role.ADMIN if first else role, password_hash=hash_password(raw_password))
        s.add(user)
    return UserView.of(user)
