"""One module per route; importing this package registers every page."""

from smartplex.pages import home, join, login, setup
from smartplex.pages.admin import members, system

__all__ = ["home", "join", "login", "members", "setup", "system"]
