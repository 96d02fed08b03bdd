"""Artwork that never breaks: generated placeholder art (the title on a colour derived from it) underneath, the
real image on top, hidden again when it fails to load. Used for posters, backdrops and thumbnails alike."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var
from reflex.vars.function import ArgsFunctionOperation

from smartplex.components import tokens

# On a failed load the image hides itself, so the placeholder under it shows: no broken-image icon, ever. A
# successful load shows it again: React reuses an <img> for the next title in a list, hidden or not.
HIDE_ON_ERROR = ArgsFunctionOperation.create(("e",), Var("e.currentTarget.style.visibility = 'hidden'"))
SHOW_ON_LOAD = ArgsFunctionOperation.create(("e",), Var("e.currentTarget.style.visibility = 'visible'"))


def artwork(
    src: rx.Var,
    title: rx.Var,
    tint: rx.Var,
    *,
    ratio: float = tokens.POSTER_RATIO,
    title_size: str = "13px",
    eager: bool = False,
    srcset: rx.Var | str | None = None,
    sizes: str | None = None,
    radius: str = tokens.RADIUS,
    class_name: str = "",
    **props: object,
) -> rx.Component:
    """An image box of a fixed aspect `ratio` (so nothing shifts while it loads); `src` "" = placeholder only."""
    attrs: dict[str, object] = {"onError": HIDE_ON_ERROR, "onLoad": SHOW_ON_LOAD}
    if eager:
        attrs["fetchPriority"] = "high"  # the hero's backdrop: fetched before the lazy posters
    image_props: dict[str, object] = {"loading": "eager" if eager else "lazy", "decoding": "async"}
    if srcset is not None:
        image_props.update(src_set=srcset, sizes=sizes)
    return rx.box(
        rx.box(title, class_name="artwork-placeholder", background=tint, font_size=title_size, aria_hidden="true"),
        rx.cond(
            src,
            rx.el.img(src=src, alt="", class_name="artwork-img", custom_attrs=attrs, **image_props),
        ),
        class_name=f"artwork {class_name}".strip(),
        aspect_ratio=str(ratio),
        width="100%",
        border_radius=radius,
        background=rx.color("gray", 4),
        **props,
    )
