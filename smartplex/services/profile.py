"""A member's own profile: display name, time zone and password. Everyone may change only their own."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col

from smartplex.db import session
from smartplex.log import get_logger
from smartplex.models import AuthSession, User
from smartplex.services import auth, clock, ratelimit

log = get_logger(__name__)

PASSWORD_ATTEMPTS = "5/900 seconds"  # wrong current passwords per account before changes are refused a while


def _user(s: Session, user_id: int) -> User:
    user = s.get(User, user_id)
    if user is None or not user.is_active:
        raise auth.AuthError("Sign in again to change your profile.")
    return user


def update_profile(user_id: int, name: object, time_zone: object) -> auth.UserView:
    """Store a new display name and time zone; ValidationError names each field that is wrong."""
    clean_name = name.strip() if isinstance(name, str) else ""
    errors: dict[str, str] = {}
    if problem := auth.name_problem(clean_name):
        errors["name"] = problem
    try:
        zone = clock.check_zone(time_zone)
    except clock.ZoneError as exc:
        errors["time_zone"] = str(exc)
    if errors:
        raise auth.ValidationError(errors)
    with session() as s:
        user = _user(s, user_id)
        user.name, user.time_zone = clean_name, zone
        s.add(user)
        s.flush()
        return auth.UserView.of(user)


def adopt_browser_time_zone(user_id: int, reported: object) -> str | None:
    """On a first visit: take the zone the browser reports when the member has none yet. Returns the zone now
    stored, or None when nothing changed (a zone was already set, or the report is not a zone we know)."""
    try:
        zone = clock.check_zone(reported)
    except clock.ZoneError:
        log.info("profile.browser_zone_ignored")
        return None
    with session() as s:
        changed = s.execute(
            sa.update(User).where(col(User.id) == user_id, col(User.time_zone).is_(None)).values(time_zone=zone)
        ).rowcount
    return zone if changed else None


def change_password(user_id: int, current: object, new: object, confirm: object, keep_token: str | None) -> None:
    """Replace the password after checking the current one, and sign out every other session of the account.

    Wrong current passwords are counted per account: past PASSWORD_ATTEMPTS the change is refused for a while,
    so a borrowed session cannot guess its way to the password.
    """
    limit = ratelimit.rule(PASSWORD_ATTEMPTS)
    key = f"password-change:{user_id}"
    verdict = ratelimit.check(limit, key)
    if verdict.retry_after:
        raise auth.AuthError(f"Too many wrong passwords. Try again in {verdict.retry_after} s.", verdict.retry_after)
    raw_new = new if isinstance(new, str) else ""
    errors: dict[str, str] = {}
    if problem := auth.password_problem(raw_new):
        errors["new_password"] = problem
    elif raw_new != confirm:
        errors["confirm"] = "The passwords do not match."
    if errors:
        raise auth.ValidationError(errors)
    with session() as s:
        user = _user(s, user_id)
        if not auth.verify_password(current if isinstance(current, str) else "", user.password_hash):
            ratelimit.hit(limit, key)
            raise auth.ValidationError({"current_password": "That is not your current password."})
        user.password_hash = auth.hash_password(raw_new)
        s.add(user)
        others = [col(AuthSession.user_id) == user_id]
        if keep_token:
            others.append(col(AuthSession.token_hash) != auth.token_hash(keep_token))
        s.execute(sa.delete(AuthSession).where(*others))
    log.info("profile.password_changed", user_id=user_id)
