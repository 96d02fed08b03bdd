"""The drawer that opens from a poster: backdrop and poster, facts, an expandable summary, people, the member's
own plays in words, a show's seasons with watched marks, similar titles, "Play in Plex", and how many others
liked it, and for a show the Request button for its missing seasons."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from smartplex.components import tokens
from smartplex.components.artwork import artwork
from smartplex.components.poster import play_in_plex, poster_card
from smartplex.components.request_in_place import request_in_place


def _header(detail: rx.Var) -> rx.Component:
    backdrop = rx.box(
        artwork(detail.art_url, "", detail.tint, ratio=tokens.BACKDROP_RATIO, radius="0"),
        rx.box(class_name="drawer-backdrop-shade"),
        position="relative",
        width="100%",
    )
    poster = rx.box(
        artwork(detail.thumb_url, detail.title, detail.tint, box_shadow="0 10px 28px rgba(0,0,0,0.35)"),
        width=["110px", "130px", "140px"],
        min_width=["110px", "130px", "140px"],
    )
    facts = rx.hstack(
        rx.cond(detail.year, rx.text(detail.year, size="2")),
        rx.cond(detail.runtime, rx.text(detail.runtime, size="2")),
        rx.cond(detail.content_rating, rx.badge(detail.content_rating, variant="outline", color_scheme="gray")),
        rx.cond(detail.rating, rx.badge("★ ", detail.rating, variant="soft", color_scheme="amber")),
        spacing="3",
        align="center",
        wrap="wrap",
        color=tokens.MUTED,
        id="detail-facts",
    )
    return rx.box(
        backdrop,
        rx.hstack(
            poster,
            rx.vstack(
                rx.drawer.title(rx.heading(detail.title, size="6", class_name="line-clamp-2"), id="detail-title"),
                rx.cond(detail.subtitle, rx.text(detail.subtitle, size="2", weight="medium")),
                facts,
                rx.hstack(rx.foreach(detail.genres, lambda g: rx.badge(g, variant="soft", color_scheme="gray")), wrap="wrap"),
                spacing="2",
                min_width="0",
            ),
            spacing="4",
            align="end",
            margin_top=["-64px", "-80px", "-90px"],
            position="relative",
            padding_x="24px",
        ),
    )


SHORT_SUMMARY = 240  # characters that fit the three lines shown before "More"


def _summary(detail: rx.Var) -> rx.Component:
    """The summary; a long one shows three lines until the member asks for all of it (a details element, so
    opening it needs no server)."""
    return rx.cond(
        detail.summary.length() > SHORT_SUMMARY,
        rx.el.details(
            rx.el.summary(
                rx.text(detail.summary, size="2", class_name="line-clamp-3 summary-short"),
                rx.text(detail.summary, size="2", class_name="summary-full"),
                rx.text("More", size="1", weight="bold", color=tokens.ACCENT_TEXT, class_name="summary-more"),
                rx.text("Less", size="1", weight="bold", color=tokens.ACCENT_TEXT, class_name="summary-less"),
                cursor="pointer",
                list_style="none",
            ),
            id="detail-summary",
            class_name="expandable-summary",
        ),
        rx.text(detail.summary, size="2", id="detail-summary"),
    )


def _people(label: str, names: rx.Var, id: str) -> rx.Component:
    return rx.cond(
        names.length() > 0,
        rx.hstack(
            rx.text(label, size="2", color=tokens.MUTED, min_width="96px"),
            rx.text(names.join(", "), size="2"),
            align="start",
            id=id,
        ),
    )


def _episode(episode: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.cond(
            episode.watched,
            rx.icon("circle-check", size=18, color=rx.color("green", 9), class_name="watched-mark"),
            rx.cond(
                episode.progress > 0,
                rx.icon("circle-dot", size=18, color=rx.color("accent", 9)),
                rx.icon("circle", size=18, color=rx.color("gray", 7)),
            ),
        ),
        rx.text(episode.label, size="2", color=tokens.MUTED, min_width="36px"),
        rx.text(episode.title, size="2", class_name="line-clamp-1", flex="1"),
        rx.text(episode.runtime, size="1", color=tokens.MUTED),
        rx.cond(
            episode.play_url,
            rx.link(rx.icon("play", size=16), href=episode.play_url, is_external=True, aria_label="Play in Plex",
                    class_name="episode-play"),
        ),  # fmt: skip
        align="center",
        spacing="3",
        width="100%",
        padding_y="6px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        class_name="episode-row",
    )


def _seasons(detail: rx.Var) -> rx.Component:
    return rx.cond(
        detail.seasons.length() > 0,
        rx.vstack(
            rx.heading("Seasons", size="4"),
            rx.accordion.root(
                rx.foreach(
                    detail.seasons,
                    lambda season: rx.accordion.item(
                        header=rx.hstack(
                            rx.text(season.title, weight="medium"),
                            rx.text(season.watched_label, size="1", color=tokens.MUTED),
                            justify="between",
                            width="100%",
                            padding_right="8px",
                        ),
                        content=rx.vstack(rx.foreach(season.episodes, _episode), spacing="0", width="100%"),
                        value=season.key,
                        class_name="season",
                    ),
                ),
                type="single",
                collapsible=True,
                default_value=detail.open_season,
                key=detail.media_item_id.to_string(),  # a new title opens on its own next season
                variant="ghost",
                width="100%",
            ),
            spacing="2",
            width="100%",
            id="detail-seasons",
        ),
    )


def _similar(detail: rx.Var, on_open: Callable[[rx.Var], rx.event.EventSpec]) -> rx.Component:
    return rx.cond(
        detail.similar.length() > 0,
        rx.vstack(
            rx.heading("More like this", size="4"),
            rx.box(rx.foreach(detail.similar, lambda c: poster_card(c, on_open)), class_name="poster-track drawer-track"),
            spacing="2",
            width="100%",
            id="detail-similar",
        ),
    )


def detail_drawer(
    detail: rx.Var,
    is_open: rx.Var,
    on_open_change: rx.EventHandler,
    on_open: Callable[[rx.Var], rx.event.EventSpec],
) -> rx.Component:
    liked = detail.liked_by_count
    body = rx.vstack(
        rx.hstack(
            play_in_plex(detail.play_url, id="detail-play"),
            request_in_place(detail, on_open_change(False)),
            spacing="3",
            wrap="wrap",
        ),
        _summary(detail),
        rx.text(detail.plays_sentence, size="2", weight="medium", id="detail-your-plays"),
        rx.cond(detail.where, rx.text(detail.where, size="2", color=tokens.MUTED, id="detail-where")),
        rx.text(
            rx.cond(
                liked,
                rx.fragment(rx.text.strong(liked.to(str)), " others on this server liked it."),
                "Not enough people on this server have watched it to say more.",
            ),
            size="2",
            color=tokens.MUTED,
            id="detail-liked-by",
        ),
        _people("Directed by", detail.directors, "detail-directors"),
        _people("Cast", detail.cast, "detail-cast"),
        _seasons(detail),
        _similar(detail, on_open),
        spacing="4",
        padding="24px",
        padding_top="16px",
        width="100%",
    )
    return rx.drawer.root(
        rx.drawer.overlay(z_index="5"),
        rx.drawer.portal(
            rx.drawer.content(
                rx.box(
                    _header(detail),
                    body,
                    rx.drawer.close(
                        rx.icon_button(rx.icon("x"), variant="solid", color_scheme="gray", high_contrast=True, radius="full",
                                       aria_label="Close", position="absolute", top="14px", right="14px", id="detail-close"),
                    ),  # fmt: skip
                    position="relative",
                    height="100%",
                    overflow_y="auto",
                    width="100%",
                ),
                id="detail-drawer",
                position="fixed",
                top="0",
                right="0",
                left="auto",
                height="100vh",
                width=tokens.DRAWER_WIDTH,
                z_index="6",
                background=rx.color("gray", 1),
                box_shadow="-8px 0 24px rgba(0,0,0,0.15)",
            ),
        ),
        open=is_open,
        on_open_change=on_open_change,
        direction="right",
    )
