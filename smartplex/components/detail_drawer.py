"""The drawer that opens from a poster: summary, ratings, your plays, and how many others liked it."""

from __future__ import annotations

import reflex as rx

from smartplex.components.request_in_place import request_in_place


def detail_drawer(detail: rx.Var, is_open: rx.Var, on_open_change: rx.EventHandler) -> rx.Component:
    liked = detail.liked_by_count
    return rx.drawer.root(
        rx.drawer.overlay(z_index="5"),
        rx.drawer.portal(
            rx.drawer.content(
                rx.scroll_area(
                    rx.vstack(
                        rx.hstack(
                            rx.drawer.title(rx.heading(detail.title, size="6")),
                            rx.spacer(),
                            rx.drawer.close(rx.icon_button(rx.icon("x"), variant="ghost", aria_label="Close")),
                            width="100%",
                            align="start",
                        ),
                        rx.cond(detail.subtitle, rx.text(detail.subtitle, color_scheme="gray")),
                        rx.cond(
                            detail.thumb_url,
                            rx.image(src=detail.thumb_url, width="200px", border_radius="8px", class_name="poster-img"),
                        ),
                        rx.hstack(
                            rx.cond(detail.year, rx.badge(detail.year, variant="soft", color_scheme="gray")),
                            rx.badge(detail.type, variant="soft"),
                            rx.cond(detail.duration_min, rx.badge(detail.duration_min.to_string() + " min", variant="soft", color_scheme="gray")),
                            rx.cond(detail.rating, rx.badge("★ ", detail.rating, variant="soft", color_scheme="amber")),
                            wrap="wrap",
                        ),
                        rx.hstack(
                            rx.foreach(detail.genres, lambda g: rx.badge(g, variant="outline", color_scheme="gray")),
                            wrap="wrap",
                        ),
                        rx.text(detail.summary, size="2"),
                        request_in_place(detail, on_open_change(False)),
                        rx.divider(),
                        rx.text("You played it ", rx.text.strong(detail.your_plays), " times.", size="2", id="detail-your-plays"),
                        rx.text(
                            rx.cond(
                                liked,
                                rx.fragment(rx.text.strong(liked.to(str)), " others on this server liked it."),
                                "Not enough people on this server have watched it to say more.",
                            ),
                            size="2",
                            color_scheme="gray",
                            id="detail-liked-by",
                        ),
                        spacing="3",
                        padding="24px",
                        width="100%",
                    ),
                    height="100%",
                ),
                id="detail-drawer",
                position="fixed",
                top="0",
                right="0",
                left="auto",
                height="100vh",
                width=["100vw", "420px"],
                z_index="6",
                background=rx.color("gray", 1),
                box_shadow="-8px 0 24px rgba(0,0,0,0.15)",
            ),
        ),
        open=is_open,
        on_open_change=on_open_change,
        direction="right",
    )
