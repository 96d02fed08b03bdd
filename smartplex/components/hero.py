"""The dashboard's hero: the member's next things to watch over their backdrops, with "Play in Plex" and
"Details". Slides share one box of fixed height and cross-fade in CSS (assets/streaming.css), so rotating
moves nothing on the page and costs the server nothing."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from smartplex.components import tokens
from smartplex.components.artwork import artwork
from smartplex.components.poster import play_in_plex, progress_bar

SLIDE_SECONDS = 8


def _rotation(index: rx.Var, count: rx.Var) -> dict[str, rx.Var | str]:
    """Slide `index` of `count`: its place in the shared cycle (keyframes hero-2 .. hero-5)."""
    period = count * SLIDE_SECONDS
    offset = (period - index * SLIDE_SECONDS) % period
    return {
        "animation_name": rx.cond(count > 1, "hero-" + count.to_string(), "none"),
        "animation_duration": period.to_string() + "s",
        "animation_delay": "-" + offset.to_string() + "s",
    }


def _slide(slide: rx.Var, index: rx.Var, count: rx.Var, on_details: Callable[[rx.Var], rx.event.EventSpec]) -> rx.Component:
    backdrop = artwork(
        slide.art_url,
        "",
        slide.tint,
        ratio=tokens.BACKDROP_RATIO,
        eager=True,
        srcset=slide.art_small_url + " 640w, " + slide.art_url + " 1280w",
        sizes="(max-width: 767px) 100vw, 1200px",
        radius="0",
        position="absolute",
        inset="0",
        height="100%",
        class_name="hero-backdrop",
    )
    facts = rx.text(
        slide.facts.join("  ·  "),
        rx.cond((slide.facts.length() > 0) & (slide.genres.length() > 0), "  ·  ", ""),
        slide.genres.join(", "),
        size="2",
        color=tokens.ON_ART_MUTED,
        white_space="pre-wrap",
        class_name="hero-facts",
    )
    poster = rx.box(
        artwork(slide.thumb_url, slide.title, slide.tint, box_shadow="0 12px 32px rgba(0,0,0,0.5)"),
        rx.cond(slide.progress > 0, progress_bar(slide.progress)),
        position="relative",
        width="150px",
        min_width="150px",
        border_radius=tokens.RADIUS,
        overflow="hidden",
        display=["none", "none", "block"],
    )
    text = rx.vstack(
        rx.text(slide.reason, size="2", weight="bold", color=rx.color("accent", 9), class_name="hero-reason"),
        rx.heading(slide.title, size="8", color=tokens.ON_ART, class_name="line-clamp-2 hero-title"),
        rx.cond(slide.subtitle, rx.text(slide.subtitle, size="3", weight="medium", color=tokens.ON_ART)),
        facts,
        rx.text(slide.summary, size="2", color=tokens.ON_ART_MUTED, class_name="line-clamp-3", max_width="560px"),
        rx.hstack(
            play_in_plex(slide.play_url, id="hero-play"),
            rx.button(rx.icon("info", size=18), "Details", size="3", variant="soft", color=tokens.ON_ART,
                      background="rgba(255, 255, 255, 0.16)", backdrop_filter="blur(6px)",
                      on_click=on_details(slide.media_item_id), class_name="hero-details", cursor="pointer"),
            spacing="3",
            padding_top="8px",
        ),  # fmt: skip
        spacing="2",
        align="start",
        min_width="0",
    )
    return rx.box(
        backdrop,
        rx.box(class_name="hero-shade"),
        rx.hstack(
            poster,
            text,
            spacing="6",
            align="end",
            position="absolute",
            left="0",
            right="0",
            bottom="0",
            padding=["20px", "24px", "36px"],
        ),
        class_name="hero-slide",
        **_rotation(index, count),
    )


def hero(slides: rx.Var, on_details: Callable[[rx.Var], rx.event.EventSpec]) -> rx.Component:
    """`slides` is a list of HeroView (state/views.py); nothing at all when it is empty."""
    count = slides.length()
    return rx.cond(
        count > 0,
        rx.box(
            rx.foreach(slides, lambda slide, index: _slide(slide, index, count, on_details)),
            class_name="hero",
            id="hero",
            position="relative",
            width="100%",
            height=tokens.HERO_HEIGHT,
            border_radius="14px",
            overflow="hidden",
            background="#0b0d12",
            box_shadow="0 10px 30px rgba(0,0,0,0.25)",
        ),
    )
