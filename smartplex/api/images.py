"""GET /api/images/{media_item_id}: an item's poster or backdrop for signed-in browsers, via Plex but never
exposing it."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Path, Query, Request, Security
from fastapi.responses import JSONResponse, Response

from smartplex.api.security import session_cookie
from smartplex.services import auth
from smartplex.services.overseerr import posters as tmdb_posters
from smartplex.services.plex import posters, servers

router = APIRouter(tags=["images"])

CACHE_CONTROL = "private, max-age=86400"

DESCRIPTION = """The poster (`kind=poster`, the default) or backdrop (`kind=art`) of a library item, for
`<img src>` in SmartPlex's pages: the browser never talks to Plex and never sees its address or token.
SmartPlex fetches the item's original image from the Plex server, shrinks it to the requested width (keeping
the aspect ratio, never enlarging) and caches the JPEG on disk. Posters come 150, 300 or 600 pixels wide,
backdrops 640, 1280 or 1920.

Needs a signed-in session (the `sp_session` cookie). Responses carry an `ETag` and
`Cache-Control: private, max-age=86400`; a request with a matching `If-None-Match` gets `304 Not Modified`
without the image. When Plex does not answer the route fails fast with 502, and the page shows its
placeholder."""


def _error(description: str, reason: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"example": {"error": reason}}}}


_CACHING_HEADERS = {
    "ETag": {"description": "Identifies this poster at this width.", "schema": {"type": "string"}},
    "Cache-Control": {"description": "`private, max-age=86400`", "schema": {"type": "string"}},
}

RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The image as a JPEG, `w` pixels wide (narrower only when the original is).",
        "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
        "headers": _CACHING_HEADERS,
    },
    304: {"description": "Not modified: the `If-None-Match` ETag is current.", "headers": _CACHING_HEADERS},
    401: _error("No valid signed-in session.", "sign in to see posters"),
    404: _error("No such item, not one you may see, or it has no image of that kind.", "no poster for this item"),
    422: _error("A width this kind of image is not served at, or a malformed parameter.", "a poster is served 150, 300, 600 pixels wide"),
    502: _error("Plex did not deliver the poster (unreachable, slow or failing).", "Plex did not send the poster."),
}


@router.get(
    "/api/images/{media_item_id}",
    summary="An item's poster or backdrop, resized and cached",
    description=DESCRIPTION,
    response_class=Response,
    responses=RESPONSES,
)
async def poster(
    request: Request,
    media_item_id: int = Path(ge=1, description="The SmartPlex id of the library item (a card's media_item_id)."),
    w: posters.ImageWidth | None = Query(
        None, description="Width in pixels: a poster 150, 300 (default) or 600; a backdrop 640, 1280 (default) or 1920."
    ),
    kind: posters.ImageKind = Query(posters.ImageKind.POSTER, description="`poster` (2:3) or `art` (the backdrop)."),
    token: str | None = Security(session_cookie),
) -> Response:
    viewer = await asyncio.to_thread(auth.user_for_session, token)
    if viewer is None:
        return _json(401, "sign in to see posters")
    try:
        visible = await asyncio.to_thread(servers.visible_server_ids, viewer.id)
        width = w or (posters.DEFAULT_ART_WIDTH if kind == posters.ImageKind.ART else posters.DEFAULT_WIDTH)
        ref = await asyncio.to_thread(posters.locate, media_item_id, width, visible, kind)
        if _matches(request.headers.get("if-none-match"), ref.etag):
            return Response(status_code=304, headers=_caching(ref))
        body = await asyncio.to_thread(posters.render, ref)
    except ValueError as exc:
        return _json(422, str(exc))
    except posters.PosterNotFound:
        return _json(404, f"no {kind.value} for this item")
    except posters.PosterUnavailable as exc:
        return _json(502, str(exc))
    return Response(body, media_type="image/jpeg", headers=_caching(ref))


def _caching(ref: posters.PosterRef) -> dict[str, str]:
    return {"ETag": ref.etag, "Cache-Control": CACHE_CONTROL}


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


def _json(status: int, reason: str) -> JSONResponse:
    """An error nobody caches: the next attempt may well succeed."""
    return JSONResponse({"error": reason}, status_code=status, headers={"Cache-Control": "no-store"})


@router.get(
    "/api/images/tmdb/{file}",
    summary="A TMDB poster of a title to request, resized and cached",
    description="""The poster of a title from Overseerr / Seerr's search, for `<img src>` in the Request window:
fetched through the connected Seerr's image proxy (the browser never sees Seerr's address or key), shrunk to the
requested width and cached on disk like Plex posters. `file` is TMDB's poster file name (`abc123.jpg`); anything
else is refused. Needs a signed-in session.""",
    response_class=Response,
    responses={**RESPONSES, 404: _error("Not a TMDB poster file name, or Seerr has no such poster.", "no such poster"),
               502: _error("Seerr did not deliver the poster.", "Overseerr / Seerr did not send the poster.")},
)
async def tmdb_poster(
    request: Request,
    file: str = Path(max_length=80, description="TMDB's poster file name, as Seerr's posterPath without the slash."),
    w: posters.ImageWidth = Query(posters.DEFAULT_WIDTH, description="Width in pixels: 150, 300 or 600."),
    token: str | None = Security(session_cookie),
) -> Response:
    if await asyncio.to_thread(auth.user_for_session, token) is None:
        return _json(401, "sign in to see posters")
    if w not in posters.WIDTHS[posters.ImageKind.POSTER]:
        return _json(422, "a poster is served 150, 300 or 600 pixels wide")
    if not tmdb_posters.FILE.match(file):
        return _json(404, "no such poster")
    etag = f'"{tmdb_posters.cache_key(file, w)[:32]}"'
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    try:
        body = await asyncio.to_thread(tmdb_posters.render, file, int(w))
    except posters.PosterNotFound:
        return _json(404, "no such poster")
    except posters.PosterUnavailable as exc:
        return _json(502, str(exc))
    return Response(body, media_type="image/jpeg", headers=headers)
