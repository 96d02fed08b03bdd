"""One module per route; importing this package registers every page."""

from smartplex.pages import history, home, join, login, onboarding, profile, requests, search, setup, stats
from smartplex.pages import notification_settings, notifications
from smartplex.pages.admin import integrations, members, plex, system
from smartplex.pages.admin import requests as admin_requests

__all__ = [
    "admin_requests", "history", "home", "integrations", "join", "login", "members", "notification_settings",
    "notifications", "onboarding", "plex", "profile", "requests", "search", "setup", "stats", "system",
]  # fmt: skip
