"""The visual language's numbers, shared by the streaming components (poster cards, hero, drawer) and by any
page that wants to look like them. Selectors and keyframes live in assets/streaming.css."""

from __future__ import annotations

import reflex as rx

RADIUS = "10px"  # artwork corners
SHADOW = "0 2px 8px rgba(0, 0, 0, 0.18)"
POSTER_RATIO = 2 / 3  # width / height
BACKDROP_RATIO = 16 / 9
HERO_HEIGHT = ["540px", "540px", "460px"]  # phone, tablet, desktop
DRAWER_WIDTH = ["100vw", "100vw", "560px"]
MUTED = rx.color("gray", 11)
ACCENT_TEXT = rx.color("accent", 11)
ON_ART = "rgba(255, 255, 255, 0.96)"  # text over a darkened backdrop, in light and dark mode alike
ON_ART_MUTED = "rgba(255, 255, 255, 0.74)"
