"""Settings read from the environment; the single place that knows their names and defaults."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    db_url: str
    redis_url: str | None
    secret_key: str | None
    session_ttl: timedelta
    invite_ttl: timedelta
    login_attempts: int
    login_ip_attempts: int
    login_window: timedelta
    log_level: str
    scheduler_enabled: bool
    public_url: str | None
    cors_origins: tuple[str, ...]
    webhook_rate: str
    webhook_worker_enabled: bool
    trust_proxy: bool
    argon2_memory_kib: int
    argon2_rounds: int
    overseerr_timeout: float
    plex_tv_url: str
    notification_worker_enabled: bool
    probe_timeout: float


DEFAULT_PLEX_TV_URL = "https://plex.tv"


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def origin(url: str) -> str:
    """`scheme://host[:port]` of a URL, as browsers send it in the Origin header."""
    parts = urlsplit(url.strip())
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _cors_origins(public_url: str | None) -> tuple[str, ...]:
    """Origins besides the page's own that may call SmartPlex with credentials: the public address and
    SMARTPLEX_CORS_ORIGINS (comma-separated)."""
    listed = [u for u in os.environ.get("SMARTPLEX_CORS_ORIGINS", "").split(",") if u.strip()]
    return tuple(dict.fromkeys(origin(u) for u in [*([public_url] if public_url else []), *listed]))


@functools.cache
def get_settings() -> Settings:
    data_dir = Path(os.environ.get("SMARTPLEX_DATA_DIR", PROJECT_ROOT / "data")).resolve()
    public_url = (os.environ.get("SMARTPLEX_PUBLIC_URL") or "").rstrip("/") or None
    return Settings(
        data_dir=data_dir,
        db_url=os.environ.get("SMARTPLEX_DB_URL") or f"sqlite:///{data_dir / 'smartplex.db'}",
        redis_url=os.environ.get("REFLEX_REDIS_URL") or None,
        secret_key=os.environ.get("SMARTPLEX_SECRET_KEY") or None,
        session_ttl=timedelta(hours=_env_int("SMARTPLEX_SESSION_HOURS", 24 * 7)),
        invite_ttl=timedelta(hours=_env_int("SMARTPLEX_INVITE_HOURS", 72)),
        login_attempts=_env_int("SMARTPLEX_LOGIN_ATTEMPTS", 10),
        login_ip_attempts=_env_int("SMARTPLEX_LOGIN_IP_ATTEMPTS", 50),
        login_window=timedelta(seconds=_env_int("SMARTPLEX_LOGIN_WINDOW_SECONDS", 300)),
        log_level=os.environ.get("SMARTPLEX_LOG_LEVEL", "INFO").upper(),
        scheduler_enabled=os.environ.get("SMARTPLEX_SCHEDULER", "1") != "0",
        public_url=public_url,
        cors_origins=_cors_origins(public_url),
        webhook_rate=os.environ.get("SMARTPLEX_WEBHOOK_RATE") or "100/minute",
        webhook_worker_enabled=os.environ.get("SMARTPLEX_WEBHOOK_WORKER", "1") != "0",
        trust_proxy=os.environ.get("SMARTPLEX_TRUST_PROXY") == "1",
        argon2_memory_kib=_env_int("SMARTPLEX_ARGON2_MEMORY_KIB", 64 * 1024),
        argon2_rounds=_env_int("SMARTPLEX_ARGON2_ROUNDS", 3),
        overseerr_timeout=float(os.environ.get("SMARTPLEX_OVERSEERR_TIMEOUT", 10)),
        plex_tv_url=(os.environ.get("SMARTPLEX_PLEX_TV_URL") or DEFAULT_PLEX_TV_URL).rstrip("/"),
        notification_worker_enabled=os.environ.get("SMARTPLEX_NOTIFICATION_WORKER", "1") != "0",
        probe_timeout=float(os.environ.get("SMARTPLEX_PROBE_TIMEOUT", 5)),
    )


def reload_settings() -> Settings:
    """Forget cached settings (tests change the environment) and read them again."""
    get_settings.cache_clear()
    return get_settings()
