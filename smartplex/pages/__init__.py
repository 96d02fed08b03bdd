"""One module per route; importing this package registers every page."""

from smartplex.pages import home, join, login, onboarding, setup
from smartplex.pages.admin import members, plex, system

__all__ = ["home", "join", "login", "members", "onboarding", "plex", "setup", "system"]
