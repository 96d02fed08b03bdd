"""One module per route; importing this package registers every page."""

from smartplex.pages import chat, history, home, join, login, onboarding, profile, requests, search, setup, stats
from smartplex.pages import notification_settings, notifications
from smartplex.pages.admin import ai, integrations, members, plex, system
from smartplex.pages.admin import requests as admin_requests

__all__ = [
    "admin_requests", "ai", "chat", "history", "home", "integrations", "join", "login", "members",
    "notification_settings", "notifications", "onboarding", "plex", "profile", "requests", "search", "setup", "stats",
    "system",
]  # fmt: skip
