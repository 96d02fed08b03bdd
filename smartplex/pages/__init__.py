"""One module per route; importing this package registers every page."""

from smartplex.pages import history, home, join, login, onboarding, profile, search, setup, stats
from smartplex.pages.admin import members, plex, system

__all__ = ["history", "home", "join", "login", "members", "onboarding", "plex", "profile", "search", "setup", "stats", "system"]
