"""Making, cancelling and deciding requests, and listing them.

A request is reserved first: in one transaction the quota is checked and a `submitting` row written, so two
requests at once cannot both slip under the limit and a handler called directly is held to it as the modal is.
Then Seerr is asked as the member's linked Seerr user; a refusal or failure deletes the reservation (nothing is
left half-written), success records Seerr's request id and status. The member's words come from Seerr's refusal.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from smartplex.db import get_engine, write_transaction
from smartplex.log import get_logger
from smartplex.models import REQUESTS, USERS, RequestStatus, Role, iso, utcnow
from smartplex.services import auth
from smartplex.services.overseerr import gateway, people, wire
from smartplex.services.overseerr.client import OverseerrError, OverseerrRefused
from smartplex.services.overseerr.posters import poster_url
from smartplex.services.plex import servers
from smartplex.services.requests import availability, catalogue, quotas, tracking

log = get_logger(__name__)
S = RequestStatus
PAGE_SIZE = 12
FILTERS = ("all", "pending", "approved", "processing", "partially_available", "available", "declined", "failed")
STATUS_LABELS = {S.SUBMITTING: "Sending", S.PENDING: "Pending", S.APPROVED: "Approved", S.DECLINED: "Declined",
                 S.PROCESSING: "Processing", S.PARTIALLY_AVAILABLE: "Partially available", S.AVAILABLE: "Available",
                 S.FAILED: "Failed"}  # fmt: skip
MAX_SEASONS = 100
_NOT_REQUESTABLE = {catalogue.ON_SERVER: "{} is already on your server.", catalogue.AVAILABLE: "{} is already available.",
                    catalogue.MINE: "You already requested {}.", catalogue.REQUESTED: "{} has already been requested."}  # fmt: skip


class RequestError(ValueError):
    """A request cannot be made, cancelled or decided as asked; the message is safe to show."""


@dataclass(frozen=True)
class RequestRow:
    id: int
    title: str
    year: int
    media_type: str
    poster_url: str
    status: str
    status_label: str
    seasons_label: str  # "Seasons 1, 2" ("" for movies)
    requested_at: str
    available_at: str
    can_cancel: bool
    requester_id: int = 0
    requester_name: str = ""


@dataclass(frozen=True)
class RequestPage:
    rows: list[RequestRow]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class Submitted:
    row: RequestRow
    message: str


def _seasons_label(media_type: str, seasons: list[int] | None, available: list[int] | None) -> str:
    if media_type != "tv" or not seasons:
        return ""
    label = f"Season{'s' if len(seasons) > 1 else ''} {', '.join(str(n) for n in sorted(seasons))}"
    here = sorted(set(available or []) & set(seasons))
    if here and len(here) < len(seasons):
        label += f" ({', '.join(str(n) for n in here)} on the server)"
    return label


def _row(r: sa.Row, requester_name: str = "") -> RequestRow:
    return RequestRow(
        id=r.id,
        title=r.title,
        year=r.year or 0,
        media_type=r.media_type,
        poster_url=poster_url(r.poster_path),
        status=r.status,
        status_label=STATUS_LABELS.get(r.status, r.status),
        seasons_label=_seasons_label(r.media_type, r.seasons, r.seasons_available),
        requested_at=iso(r.requested_at) or "",
        available_at=iso(r.available_at) or "",
        can_cancel=r.status == S.PENDING,
        requester_id=r.user_id,
        requester_name=requester_name,
    )


def _clean_request(media_type: object, tmdb_id: object, seasons: object) -> tuple[str, int, list[int]]:
    if media_type not in ("movie", "tv"):
        raise RequestError("Pick a movie or a show to request.")
    if isinstance(tmdb_id, bool) or not isinstance(tmdb_id, int | str) or not str(tmdb_id).isdigit():
        raise RequestError("That title cannot be requested (no TMDB id).")
    number = int(tmdb_id)
    if not 0 < number < 2**31:
        raise RequestError("That title cannot be requested (no TMDB id).")
    if media_type == "movie":
        return "movie", number, []
    if not isinstance(seasons, list | tuple) or not seasons:
        raise RequestError("Pick at least one season.")
    if len(seasons) > MAX_SEASONS or not all(isinstance(n, int) and not isinstance(n, bool) and 0 < n < 1000 for n in seasons):
        raise RequestError("Pick seasons from the list.")
    return "tv", number, sorted(set(seasons))


def submit(actor_id: int, media_type: object, tmdb_id: object, seasons: object = None) -> Submitted:
    """Request a movie, or seasons of a show, for the actor: within their weekly quota, through Seerr as them."""
    kind, number, wanted = _clean_request(media_type, tmdb_id, seasons)
    with get_engine().connect() as conn:
        role = conn.execute(sa.select(USERS.c.role).where(USERS.c.id == actor_id, USERS.c.is_active.is_(True))).scalar()
    if role is None:
        raise RequestError("Sign in again to request.")
    seerr_user = people.seerr_user_for(actor_id)
    if seerr_user is None and role != Role.ADMIN:
        raise RequestError("Your account is not linked to an Overseerr / Seerr user yet. Ask the admin to link it.")
    try:
        detail = catalogue.details(actor_id, kind, number)
    except (catalogue.SearchError, OverseerrError) as exc:
        raise RequestError(str(exc)) from None
    card = detail.card
    if kind == "movie" and not card.requestable:
        raise RequestError(_NOT_REQUESTABLE.get(card.badge, "{} cannot be requested.").format(card.title))
    if kind == "tv":
        free = {s.number for s in detail.seasons if s.selectable}
        taken = [n for n in wanted if n not in free]
        if taken:
            known = {s.number for s in detail.seasons}
            if any(n not in known for n in taken):
                raise RequestError(f"{card.title} has no season {', '.join(str(n) for n in taken if n not in known)}.")
            raise RequestError(f"Season {', '.join(map(str, taken))} of {card.title} is already on the server or requested.")
    row_id = _reserve(actor_id, kind, number, detail, wanted)
    try:
        answer = gateway.call(lambda c: wire.request(c.create_request(kind, number, wanted, tvdb_id=detail.tvdb_id, as_user=seerr_user)))
    except OverseerrError as exc:
        _drop(row_id)
        log.info("request.refused", tmdb_id=number, media_type=kind, status=getattr(exc, "status", None))
        raise RequestError(str(exc)) from None
    except BaseException:
        _drop(row_id)
        raise
    if answer is None:
        _drop(row_id)
        raise RequestError("Overseerr / Seerr answered, but not with a request. Try again in a moment.")
    status = tracking.status_from_seerr(answer)
    with write_transaction() as conn:
        conn.execute(REQUESTS.update().where(REQUESTS.c.id == row_id).values(overseerr_request_id=answer.id))
        if answer.seasons:
            conn.execute(REQUESTS.update().where(REQUESTS.c.id == row_id).values(seasons=sorted(answer.seasons)))
        conn.execute(REQUESTS.update().where(REQUESTS.c.id == row_id, REQUESTS.c.status == S.SUBMITTING)
                     .values(status=status, updated_at=utcnow()))  # fmt: skip
    availability.check_request(row_id)
    row = _one(row_id)
    message = f"Requested {card.title}" + (f" ({row.seasons_label})" if row.seasons_label else "") + "."
    if row.status == S.APPROVED or row.status == S.PROCESSING:
        message += " It was approved at once."
    return Submitted(row, message)


def _reserve(actor_id: int, kind: str, tmdb_id: int, detail: catalogue.TitleDetail, seasons: list[int]) -> int:
    """Check the quota and hold the request's place in one transaction; the reserved row's id."""
    card = detail.card
    with write_transaction() as conn:
        if conn.dialect.name == "postgresql":  # one reservation per person at a time (SQLite serialises writers)
            conn.execute(sa.select(USERS.c.id).where(USERS.c.id == actor_id).with_for_update())
        try:
            quotas.check(conn, actor_id, kind, len(seasons))
        except quotas.QuotaError as exc:
            raise RequestError(str(exc)) from None
        duplicate = conn.execute(
            sa.select(REQUESTS.c.seasons).where(
                REQUESTS.c.user_id == actor_id, REQUESTS.c.media_type == kind, REQUESTS.c.tmdb_id == tmdb_id,
                REQUESTS.c.status.in_([s.value for s in tracking.OPEN]),
            )
        ).all()  # fmt: skip
        if kind == "movie" and duplicate:
            raise RequestError(f"You already requested {card.title}.")
        overlap = sorted({n for (asked,) in duplicate for n in asked or []} & set(seasons))
        if overlap:
            raise RequestError(f"You already requested season {', '.join(map(str, overlap))} of {card.title}.")
        now = utcnow()
        values = {
            "user_id": actor_id, "server_id": servers.default_server_id() or None, "media_type": kind,
            "tmdb_id": tmdb_id, "tvdb_id": detail.tvdb_id, "title": card.title[:1000], "year": card.year,
            "poster_path": _poster_path(card.poster_url), "seasons": seasons or None, "status": S.SUBMITTING,
            "requested_at": now, "updated_at": now,
        }  # fmt: skip
        return conn.execute(REQUESTS.insert().values(values).returning(REQUESTS.c.id)).scalar_one()


def _poster_path(url: str) -> str | None:
    """The TMDB path back from our poster URL ("/api/images/tmdb/abc.jpg?w=300" -> "/abc.jpg")."""
    if not url:
        return None
    return "/" + url.removeprefix("/api/images/tmdb/").split("?")[0]


def _drop(row_id: int) -> None:
    with write_transaction() as conn:
        conn.execute(REQUESTS.delete().where(REQUESTS.c.id == row_id, REQUESTS.c.status == S.SUBMITTING))


def _select() -> sa.Select:
    return sa.select(REQUESTS, USERS.c.name.label("requester_name")).join(USERS, USERS.c.id == REQUESTS.c.user_id)


def _one(row_id: int) -> RequestRow:
    with get_engine().connect() as conn:
        r = conn.execute(_select().where(REQUESTS.c.id == row_id)).first()
    if r is None:
        raise RequestError("That request no longer exists.")
    return _row(r, r.requester_name)


def _page(where: list[sa.ColumnElement[bool]], status_filter: str, page: int, page_size: int) -> RequestPage:
    if status_filter not in FILTERS:
        raise RequestError("Unknown filter.")
    conditions = [*where, REQUESTS.c.status != S.SUBMITTING]
    if status_filter != "all":
        conditions.append(REQUESTS.c.status == status_filter)
    with get_engine().connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(REQUESTS).where(*conditions)).scalar_one()
        pages = max((total + page_size - 1) // page_size, 1)
        page = min(max(int(page), 1), pages)
        rows = conn.execute(
            _select().where(*conditions).order_by(REQUESTS.c.requested_at.desc(), REQUESTS.c.id.desc())
            .limit(page_size).offset((page - 1) * page_size)
        ).all()  # fmt: skip
    return RequestPage([_row(r, r.requester_name) for r in rows], total, page, pages)


def mine(actor_id: int, status_filter: str = "all", page: int = 1, page_size: int = PAGE_SIZE) -> RequestPage:
    """The actor's own requests, newest first."""
    return _page([REQUESTS.c.user_id == actor_id], status_filter, page, page_size)


def everyone(actor_id: int, status_filter: str = "all", page: int = 1, page_size: int = PAGE_SIZE) -> RequestPage:
    """Every member's requests (admins only)."""
    with get_engine().connect() as conn:
        role = conn.execute(sa.select(USERS.c.role).where(USERS.c.id == actor_id, USERS.c.is_active.is_(True))).scalar()
    if role != Role.ADMIN:
        raise auth.AuthError("Only an admin can do that.")
    return _page([], status_filter, page, page_size)


def quota(actor_id: int) -> quotas.Quota:
    with get_engine().connect() as conn:
        return quotas.quota(conn, actor_id)


def cancel(actor_id: int, request_id: int) -> None:
    """Withdraw the actor's own pending request, in Seerr and here."""
    with get_engine().connect() as conn:
        r = conn.execute(sa.select(REQUESTS).where(REQUESTS.c.id == int(request_id))).first()
    if r is None or r.user_id != actor_id:
        raise RequestError("That request no longer exists.")
    if r.status != S.PENDING:
        raise RequestError("Only a pending request can be cancelled.")
    if r.overseerr_request_id:
        as_user = people.seerr_user_for(actor_id)
        try:
            gateway.call(lambda c: c.delete_request(r.overseerr_request_id, as_user=as_user))
        except OverseerrRefused as exc:
            if exc.status != 404:  # already gone in Seerr: remove ours too
                raise RequestError(str(exc)) from None
        except OverseerrError as exc:
            raise RequestError(f"{exc} The request stays until Overseerr / Seerr can be asked.") from None
    with write_transaction() as conn:
        conn.execute(REQUESTS.delete().where(REQUESTS.c.id == r.id, REQUESTS.c.status == S.PENDING))


def decide(actor_id: int, request_id: int, approve: bool) -> RequestRow:
    """Approve or decline a request in Seerr as Seerr's admin (SmartPlex admins only); the requester is notified."""
    with get_engine().connect() as conn:
        role = conn.execute(sa.select(USERS.c.role).where(USERS.c.id == actor_id, USERS.c.is_active.is_(True))).scalar()
        r = conn.execute(sa.select(REQUESTS).where(REQUESTS.c.id == int(request_id))).first()
    if role != Role.ADMIN:
        raise auth.AuthError("Only an admin can do that.")
    if r is None:
        raise RequestError("That request no longer exists.")
    if not r.overseerr_request_id:
        raise RequestError("Overseerr / Seerr has not confirmed this request yet; try again in a moment.")
    try:
        answer = gateway.call(lambda c: wire.request(c.set_status(r.overseerr_request_id, "approve" if approve else "decline")))
    except OverseerrError as exc:
        raise RequestError(str(exc)) from None
    if answer is not None:
        tracking.apply_seerr(answer)
    elif not approve:
        with write_transaction() as conn:
            tracking.transition(conn, r.id, S.DECLINED)
    return _one(r.id)
