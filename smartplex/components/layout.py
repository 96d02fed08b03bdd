"""The app shell (sidebar, top bar, phone menu) and the page decorator that adds it with its guard."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import reflex as rx

from smartplex import routes
from smartplex.components.brand import logo
from smartplex.components.chat_panel import chat_panel_trigger
from smartplex.components.request_bar import request_bar
from smartplex.components.time_zone import time_zone_probe
from smartplex.state.auth import AuthState, register_page_loads


@dataclass(frozen=True)
class NavItem:
    """A page's entry in the sidebar; `order` places it among the others of its section."""

    label: str
    icon: str
    route: str
    order: int
    admin: bool = False


NAV: dict[str, NavItem] = {}
"""Filled by `app_page` as page modules are imported (by route, so a re-import adds nothing); the sidebar is
built from it when pages compile."""


def _nav_link(item: NavItem) -> rx.Component:
    active = AuthState.router.url.path == item.route
    return rx.link(
        rx.hstack(
            rx.icon(item.icon, size=18),
            rx.text(item.label, size="3"),
            align="center",
            spacing="3",
            padding_x="12px",
            padding_y="8px",
            border_radius="8px",
            width="100%",
            background=rx.cond(active, rx.color("accent", 4), "transparent"),
            color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 11)),
            _hover={"background": rx.color("accent", 3), "color": rx.color("accent", 11)},
        ),
        href=item.route,
        underline="none",
        width="100%",
        id=f"nav-{item.label.lower()}",
    )


def _nav_links() -> rx.Component:
    ordered = sorted(NAV.values(), key=lambda item: item.order)
    members = [_nav_link(i) for i in ordered if not i.admin]
    admins = [_nav_link(i) for i in ordered if i.admin]
    return rx.vstack(
        *members,
        rx.cond(
            AuthState.is_admin,
            rx.vstack(
                rx.text("Admin", size="1", weight="bold", color_scheme="gray", padding_x="12px", padding_top="12px"),
                *admins,
                spacing="1",
                width="100%",
            ),
        ),
        spacing="1",
        width="100%",
    )


def _user_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.avatar(fallback=AuthState.initials, size="2", radius="full"),
                rx.text(AuthState.user_name, size="2", display=["none", "none", "block"]),
                variant="ghost",
                id="user-menu",
            )
        ),
        rx.menu.content(
            rx.box(rx.text(AuthState.user_email, size="1", color_scheme="gray"), padding_x="8px", padding_y="4px"),
            rx.menu.separator(),
            rx.menu.item(rx.icon("user", size=16), "Profile", on_click=rx.redirect(routes.PROFILE), id="profile-link"),
            rx.menu.item(rx.icon("log_out", size=16), "Sign out", on_click=AuthState.logout, id="logout"),
        ),
    )


def _sidebar() -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.link(logo(), href=routes.HOME, underline="none", color="inherit"),
            rx.divider(),
            _nav_links(),
            spacing="4",
            padding="20px",
            height="100%",
        ),
        display=["none", "none", "block"],
        width="240px",
        min_width="240px",
        height="100vh",
        position="sticky",
        top="0",
        border_right=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
    )


def _phone_menu() -> rx.Component:
    return rx.box(
        rx.drawer.root(
            rx.drawer.trigger(rx.icon_button(rx.icon("menu"), variant="ghost", aria_label="Menu", id="phone-menu")),
            rx.drawer.overlay(z_index="5"),
            rx.drawer.portal(
                rx.drawer.content(
                    rx.vstack(
                        rx.hstack(logo(), rx.spacer(), rx.drawer.close(rx.icon_button(rx.icon("x"), variant="ghost")), width="100%"),
                        rx.divider(),
                        _nav_links(),
                        spacing="4",
                        padding="20px",
                    ),
                    top="auto",
                    left="0",
                    height="100%",
                    width="260px",
                    background=rx.color("gray", 1),
                ),
            ),
            direction="left",
        ),
        display=["block", "block", "none"],
    )


def _topbar(title: str) -> rx.Component:
    return rx.hstack(
        _phone_menu(),
        rx.heading(title, size=rx.breakpoints(initial="5", sm="6"), id="page-title"),  # phones: "Notifications" fits
        rx.spacer(),
        request_bar(),
        chat_panel_trigger(),
        rx.color_mode.button(variant="ghost", id="color-mode"),
        _user_menu(),
        time_zone_probe(),
        align="center",
        width="100%",
        padding_x=["16px", "16px", "32px"],
        padding_y="14px",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        position="sticky",
        top="0",
        z_index="2",
        background=rx.color("gray", 1),
    )


def _loading() -> rx.Component:
    return rx.center(rx.spinner(size="3"), height="100vh", width="100%")


def app_page(
    route: str,
    title: str,
    on_load: list | None = None,
    *,
    admin: bool = False,
    icon: str | None = None,
    order: int = 0,
) -> Callable[[Callable[[], rx.Component]], Callable[[], rx.Component]]:
    """Register a signed-in page with the shell, and in the sidebar when it has an `icon`. The page's `on_load`
    events run only after the guard let the caller in (admin pages are checked on the server)."""
    guard = AuthState.require_admin if admin else AuthState.require_login
    register_page_loads(route, on_load or [])
    if icon is not None:
        NAV[route] = NavItem(title, icon, route, order, admin)

    def decorator(content: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        def page() -> rx.Component:
            allowed = AuthState.is_admin if admin else AuthState.signed_in
            return rx.cond(
                AuthState.is_hydrated & allowed,
                rx.hstack(
                    _sidebar(),
                    rx.vstack(
                        _topbar(title),
                        rx.box(content(), width="100%", max_width="1200px", padding=["16px", "16px", "32px"]),
                        spacing="0",
                        width="100%",
                        min_width="0",
                    ),
                    spacing="0",
                    width="100%",
                    align="start",
                ),
                _loading(),
            )

        page.__name__ = content.__name__
        rx.page(route=route, title=f"{title} · SmartPlex", on_load=guard)(page)
        return page

    return decorator


def public_page(heading: str, subtitle: str, *children: rx.Component) -> rx.Component:
    """The centred card used by first-run setup, sign-in and invite pages."""
    return rx.center(
        rx.vstack(
            rx.hstack(logo("6"), rx.spacer(), rx.color_mode.button(variant="ghost"), width="100%", align="center"),
            rx.card(
                rx.vstack(
                    rx.heading(heading, size="6", id="page-title"),
                    rx.text(subtitle, color_scheme="gray", size="2"),
                    *children,
                    spacing="4",
                    width="100%",
                ),
                size="4",
                width="100%",
            ),
            spacing="5",
            width="100%",
            max_width="440px",
        ),
        min_height="100vh",
        padding="16px",
        background=rx.color("gray", 2),
    )
