"""One module per route; importing this package registers every page."""

from smartplex.pages import history, home, join, login, onboarding, setup, stats
from smartplex.pages.admin import members, plex, system

__all__ = ["history", "home", "join", "login", "members", "onboarding", "plex", "setup", "stats", "system"]
