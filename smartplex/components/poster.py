"""Poster cards and the rows of them that make up the dashboard."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

POSTER_WIDTH = "150px"


def poster_card(card: rx.Var, on_open: Callable[[rx.Var], rx.event.EventSpec]) -> rx.Component:
    """`card` is a dict with media_item_id, title, subtitle, year, type, genres, thumb_url, progress, reason."""
    progress = card.progress
    return rx.box(
        rx.box(
            rx.image(
                src=card.thumb_url,
                alt=card.title,
                loading="lazy",
                width="100%",
                height="100%",
                object_fit="cover",
                border_radius="8px",
                class_name="poster-img",
            ),
            rx.cond(
                progress > 0,
                rx.box(
                    rx.box(height="100%", width=(progress * 100).to_string() + "%", background=rx.color("accent", 9)),
                    position="absolute",
                    bottom="0",
                    left="0",
                    right="0",
                    height="4px",
                    background="rgba(0,0,0,0.45)",
                ),
            ),
            position="relative",
            width=POSTER_WIDTH,
            height="225px",
            border_radius="8px",
            overflow="hidden",
            background=rx.color("gray", 4),
            box_shadow="0 1px 3px rgba(0,0,0,0.12)",
        ),
        rx.text(card.title, size="2", weight="medium", trim="start", class_name="line-clamp-1", padding_top="6px"),
        rx.text(
            rx.cond(card.year > 0, card.year.to_string() + " · ", ""),
            card.type,
            size="1",
            color_scheme="gray",
        ),
        rx.cond(card.subtitle, rx.text(card.subtitle, size="1", color_scheme="gray", class_name="line-clamp-1")),
        rx.text(card.genres[:2].join(" · "), size="1", color_scheme="gray", class_name="line-clamp-1"),
        rx.cond(card.reason, rx.text(card.reason, size="1", color=rx.color("accent", 11), class_name="line-clamp-2")),
        width=POSTER_WIDTH,
        min_width=POSTER_WIDTH,
        cursor="pointer",
        on_click=on_open(card.media_item_id),
        class_name="poster-card",
        _hover={"transform": "translateY(-2px)"},
        transition="transform 120ms ease",
    )


def poster_row(
    title: str,
    cards: rx.Var,
    on_open: Callable[[rx.Var], rx.event.EventSpec],
    empty: str,
    id: str,
) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="4"),
        rx.cond(
            cards.length() > 0,
            rx.scroll_area(
                rx.hstack(rx.foreach(cards, lambda c: poster_card(c, on_open)), spacing="4", padding_bottom="12px"),
                type="hover",
                scrollbars="horizontal",
                width="100%",
            ),
            rx.text(empty, size="2", color_scheme="gray", class_name="empty-state"),
        ),
        spacing="3",
        width="100%",
        id=id,
    )
