"""What every page's <head> carries so SmartPlex installs like an app: favicon, web app manifest, theme colour
and the home-screen icon (the files are in assets/)."""

from __future__ import annotations

import reflex as rx

THEME_COLOUR = "#ffc53d"  # Radix amber 9, the accent colour (rxconfig)


def head_components() -> list[rx.Component]:
    return [
        rx.el.link(rel="icon", href="/favicon.ico", sizes="any"),
        rx.el.link(rel="manifest", href="/manifest.webmanifest"),
        rx.el.link(rel="apple-touch-icon", href="/apple-touch-icon.png"),
        rx.el.meta(name="theme-color", content=THEME_COLOUR),
        rx.el.meta(name="apple-mobile-web-app-capable", content="yes"),
    ]
