"""Poster cards and the rows of them that make up the dashboard: large artwork, a "New" badge, progress, an
episode's "S2 · E5", and a menu with "Play in Plex". Rows swipe with snap on touch and scroll with arrows on
desktop (assets/streaming.css sizes the cards: about 190 px on desktop, two and a half on a phone)."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from smartplex.components import tokens
from smartplex.components.artwork import artwork

OpenHandler = Callable[[rx.Var], rx.event.EventSpec]


def progress_bar(progress: rx.Var, height: str = "4px") -> rx.Component:
    """How far the member got, along the bottom edge of artwork."""
    return rx.box(
        rx.box(height="100%", width=(progress * 100).to_string() + "%", background=rx.color("accent", 9)),
        position="absolute",
        bottom="0",
        left="0",
        right="0",
        height=height,
        background="rgba(0,0,0,0.5)",
        class_name="progress-bar",
    )


def play_in_plex(url: rx.Var, *, size: str = "3", variant: str = "solid", id: str | None = None) -> rx.Component:
    """The "Play in Plex" button: a plain link (new tab) to the title in Plex Web; nothing when unknown."""
    return rx.cond(
        url,
        rx.link(
            rx.button(rx.icon("play", size=18), "Play in Plex", size=size, variant=variant, cursor="pointer"),
            href=url,
            is_external=True,
            underline="none",
            class_name="play-in-plex",
            id=id,
        ),
    )


def _menu(card: rx.Var, on_open: OpenHandler) -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.icon_button(rx.icon("ellipsis", size=16), variant="ghost", size="1", color_scheme="gray", aria_label="More"),
            class_name="card-menu",
        ),
        rx.menu.content(
            rx.menu.item(rx.icon("info", size=14), "Details", on_click=on_open(card.media_item_id)),
            rx.cond(
                card.play_url,
                rx.menu.item(
                    rx.icon("play", size=14),
                    "Play in Plex",
                    on_click=rx.redirect(card.play_url, is_external=True),
                    class_name="menu-play-in-plex",
                ),
            ),
            size="1",
        ),
    )


def _caption(card: rx.Var) -> rx.Component:
    """Under the title: an episode's label and name, else year and first genre."""
    year_and_genre = rx.cond(card.year > 0, card.year.to_string(), "") + rx.cond(
        (card.year > 0) & (card.genres.length() > 0), " · ", ""
    ) + rx.cond(card.genres.length() > 0, card.genres[0], "")
    return rx.text(
        rx.cond(card.subtitle, card.subtitle, year_and_genre),
        size="1",
        color=tokens.MUTED,
        class_name="line-clamp-1",
    )


def poster_card(card: rx.Var, on_open: OpenHandler) -> rx.Component:
    """`card` is a CardView (state/views.py)."""
    return rx.box(
        rx.box(
            artwork(card.thumb_url, card.title, card.tint, box_shadow=tokens.SHADOW),
            rx.cond(
                card.is_new,
                rx.badge("New", variant="solid", size="1", position="absolute", top="8px", left="8px", class_name="new-badge"),
            ),
            rx.cond(
                card.episode,
                rx.badge(card.episode, variant="solid", color_scheme="gray", high_contrast=True, size="1",
                         position="absolute", bottom="10px", right="8px", class_name="episode-badge"),
            ),  # fmt: skip
            rx.cond(card.progress > 0, progress_bar(card.progress)),
            position="relative",
            border_radius=tokens.RADIUS,
            overflow="hidden",
            cursor="pointer",
            on_click=on_open(card.media_item_id),
            role="button",
            tab_index=0,
            aria_label=card.title,
        ),
        rx.hstack(
            rx.vstack(
                rx.text(card.title, size="2", weight="medium", class_name="line-clamp-1 card-title"),
                _caption(card),
                spacing="0",
                min_width="0",
                flex="1",
            ),
            _menu(card, on_open),
            align="start",
            spacing="1",
            padding_top="8px",
            width="100%",
        ),
        rx.cond(card.reason, rx.text(card.reason, size="1", color=tokens.ACCENT_TEXT, class_name="line-clamp-2", padding_top="2px")),
        rx.cond(card.where, rx.text(card.where, size="1", color=tokens.MUTED, class_name="line-clamp-1 card-where")),
        class_name="poster-card",
    )


def _scroll(track_id: str, direction: int) -> rx.event.EventSpec:
    """Scroll the row by most of its visible width (client-side only)."""
    return rx.call_script(
        f"(() => {{ const t = document.getElementById('{track_id}');"
        f" if (t) t.scrollBy({{left: {direction} * t.clientWidth * 0.85, behavior: 'smooth'}}); }})()"
    )


def poster_row(
    title: str | rx.Var[str],
    cards: rx.Var,
    on_open: OpenHandler,
    empty: str,
    id: str,
) -> rx.Component:
    track = f"{id}-track"
    arrows = rx.hstack(
        rx.icon_button(rx.icon("chevron-left"), variant="soft", color_scheme="gray", radius="full", size="2",
                       on_click=_scroll(track, -1), aria_label=f"Scroll {title} back", class_name="row-prev"),
        rx.icon_button(rx.icon("chevron-right"), variant="soft", color_scheme="gray", radius="full", size="2",
                       on_click=_scroll(track, 1), aria_label=f"Scroll {title} on", class_name="row-next"),
        spacing="2",
        display=["none", "none", "flex"],
    )  # fmt: skip
    return rx.vstack(
        rx.hstack(rx.heading(title, size="5"), rx.spacer(), rx.cond(cards.length() > 5, arrows), width="100%", align="center"),
        rx.cond(
            cards.length() > 0,
            rx.box(rx.foreach(cards, lambda c: poster_card(c, on_open)), class_name="poster-track", id=track, width="100%"),
            rx.text(empty, size="2", color=tokens.MUTED, class_name="empty-state"),
        ),
        spacing="2",
        width="100%",
        id=id,
    )
