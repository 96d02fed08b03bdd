"""One module per route; importing this package registers every page."""

from smartplex.pages import chat, history, home, join, login, onboarding, setup, stats
from smartplex.pages.admin import ai, members, plex, system

__all__ = ["ai", "chat", "history", "home", "join", "login", "members", "onboarding", "plex", "setup", "stats", "system"]
