"""Every event handler a browser can call is admin-guarded, member-guarded or on the explicit public list below.

A new handler without a guard fails here, before it ships: any public State method is remote-callable
(reflex-notes §0), so the guard is the only thing between a crafted websocket event and the data.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

import reflex as rx

import smartplex.state
from smartplex.state.auth import GUARD

# Handlers anyone may call, each for a reason: they check credentials themselves, or change only the caller's own
# page state. Adding one here is a decision; say why in the handler's docstring.
PUBLIC = {
    "AuthState.require_login",  # page guard: redirects to sign-in, then runs the page's loads
    "AuthState.require_admin",
    "AuthState.logout",  # ends the caller's own session
    "SetupState.load",  # first run: refuses once any user exists
    "SetupState.submit",
    "LoginState.load",
    "LoginState.submit",  # checks the password, rate limited
    "JoinState.load",  # checks the invite token
    "JoinState.submit",
    "DashboardState.start_watching",  # starts `watch`, which is member-guarded
    "DashboardState.stop_watching",
    "DashboardState.set_detail_open",  # opens or closes the caller's own drawer (state/detail.py)
    "HistoryState.set_detail_open",
    "SearchState.set_detail_open",
    "MembersState.set_invite_role",  # a form option; creating the invite is admin-guarded
    "LiveState.start",  # starts `watch`, which is member-guarded
    "LiveState.stop",
    "LiveState.set_panel_open",  # opens or closes the caller's own bell panel
    "RequestState.set_open",  # opens or closes the caller's own Request window
    "RequestState.close_show",
    "RequestState.set_query",  # keeps the typed text; the search it starts is member-guarded
    "RequestState.toggle_season",  # ticks a box; the request itself is member-guarded and checked again
    "ChatState.set_panel_open",  # opens or closes the caller's own chat panel (loading it is member-guarded)
    "ChatState.new_chat",  # clears the caller's own page; the conversation is created with its first question
    "ChatState.set_rename_text",  # the caller's own rename field; saving it is member-guarded
    "ChatState.cancel_rename",
    "ChatState.set_detail_open",
    # Sign in with Plex: plex.tv vouches for the person; the PIN lives only in the caller's own state.
    "PlexSignInState.load",
    "PlexSignInState.begin",
    "PlexSignInState.continue_here",
    "PlexSignInState.check_return",
    "PlexSignInState.cancel",
    "PlexSignInState.note_popup",
    "PlexMembersState.set_import_open",  # closes the caller's own dialog; listing and importing are admin-guarded
    "PlexMembersState.set_link_open",
    "PlexMembersState.toggle",  # ticks a person in the caller's own list; importing checks everything again
    "PlexMembersState.select_all",
    "NotificationsState.set_detail_open",
    "NotificationsState.set_announce_open",  # the caller's own dialog; announcing is admin-guarded
    "IntegrationHealthState.start_watching",  # starts `watch`, which is admin-guarded
    "IntegrationHealthState.stop_watching",
    "ApiTokensState.dismiss_token",  # hides the caller's own new token
}
# Reflex's own handlers on every state: hydration, and `setvar`, which only calls the state's own `set_*`
# handlers (checked below to be guarded themselves).
FRAMEWORK = {"setvar", "hydrate", "set_is_hydrated", "hydrate_and_load", "update_vars_internal", "on_load_internal"}


def _states() -> Iterator[type[rx.State]]:
    for module in pkgutil.iter_modules(smartplex.state.__path__):
        importlib.import_module(f"smartplex.state.{module.name}")
    seen: set[type[rx.State]] = set()
    pending = list(rx.State.__subclasses__())
    while pending:
        cls = pending.pop()
        if cls not in seen:
            seen.add(cls)
            pending.extend(cls.__subclasses__())
            if cls.__module__.startswith("smartplex.") and not cls._mixin:
                yield cls


def _handlers() -> dict[str, str | None]:
    """`State.handler` -> its guard, for every handler a SmartPlex state exposes."""
    found = {}
    for cls in _states():
        for name, handler in cls.event_handlers.items():
            if name not in FRAMEWORK:
                found[f"{cls.__name__}.{name}"] = getattr(handler.fn, GUARD, None)
    return found


def test_every_handler_is_guarded_or_explicitly_public() -> None:
    handlers = _handlers()
    assert len(handlers) > 30  # the walk found the app's states
    unguarded = sorted(name for name, guard in handlers.items() if guard is None)
    assert unguarded == [], f"handlers without @admin_only, @member_only or @public: {unguarded}"
    marked_public = {name for name, guard in handlers.items() if guard == "public"}
    assert marked_public == PUBLIC, "a handler became public (or stopped being): update PUBLIC deliberately"
    assert {guard for guard in handlers.values()} == {"admin", "member", "public"}


def test_framework_handlers_reach_only_guarded_setters() -> None:
    """`setvar(name, value)` calls `set_<name>`: every such method must be one of our guarded handlers."""
    handlers = _handlers()
    for cls in _states():
        for attribute in dir(cls):
            if attribute.startswith("set_") and attribute not in FRAMEWORK:
                assert f"{cls.__name__}.{attribute}" in handlers, f"{cls.__name__}.{attribute} is not a handler"
