"""The request handlers as a crafted websocket event reaches them: a member calling admin handlers is refused and
nothing changes; a member over the quota is refused on the server whatever the window shows; the search keeps
only the newest answer."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from smartplex.db import get_engine
from smartplex.models import REQUESTS
from smartplex.services.requests import quotas, requesting
from smartplex.state.admin_requests import AdminRequestsState
from smartplex.state.integrations import IntegrationsState
from smartplex.state.requests import RequestState
from tests.overseerr_fixtures import link
from tests.test_state_guards import _signed_in, _sub

REFUSED = '["error"]("Only an admin can do that.")'


def _count() -> int:
    with get_engine().connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(REQUESTS)).scalar_one()


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("cls", "handler", "kwargs"),
    [
        (AdminRequestsState, "approve", {"request_id": 1}),
        (AdminRequestsState, "decline", {"request_id": 1}),
        (AdminRequestsState, "save_default", {"form": {"movies": "99", "seasons": "99"}}),
        (AdminRequestsState, "save_member", {"form": {"user_id": "2", "movies": "99", "seasons": ""}}),
        (IntegrationsState, "save_seerr", {"form": {"url": "http://evil.example", "api_key": "x"}}),
        (IntegrationsState, "link_person", {"user_id": 2, "seerr_user_id": "1"}),
        (IntegrationsState, "rotate_webhook", {}),
        (IntegrationsState, "disconnect_seerr", {}),
    ],
)
async def test_a_member_calling_admin_handlers_is_refused(cls, handler, kwargs, admin, member, member_session, seerr) -> None:
    link(seerr, member)
    requesting.submit(member.id, "movie", 438631)
    state = _sub(_signed_in(member_session), cls)
    result = await getattr(cls, handler).fn(state, **kwargs)
    assert REFUSED in " ".join(str(v) for _, v in result.args)
    assert requesting.everyone(admin.id).rows[0].status == "pending"
    assert quotas.household_default() == quotas.Limits()
    from smartplex.services.integrations import store

    assert store.get("overseerr").base_url == seerr.url


@pytest.mark.anyio
async def test_a_member_over_the_quota_is_refused_by_the_handler_itself(admin, member, member_session, seerr) -> None:
    link(seerr, member)
    quotas.set_member_limits(admin.id, member.id, "1", "0")
    state = _sub(_signed_in(member_session), RequestState)
    first = await RequestState.request_movie.fn(state, tmdb_id=438631)
    assert "Requested Dune" in str(first[0].args)
    assert state.quota == "0 of 1 movie and 0 of 0 seasons left this week"
    for call in (RequestState.request_movie.fn(state, tmdb_id=754), RequestState.request_movie.fn(state, tmdb_id="754")):
        refused = await call
        assert "used your 1 movie for this week" in str(refused.args)
    state.show = state.show.__class__(tmdb_id=1396, media_type="tv")
    state.picked = [1]
    refused = await RequestState.request_seasons.fn(state)
    assert "you have 0 of 0 left" in str(refused.args)
    assert _count() == 1 and len(seerr.requests) == 1


@pytest.mark.anyio
async def test_a_slow_earlier_search_never_replaces_a_newer_one(admin, member, member_session, seerr) -> None:
    link(seerr, member)
    seerr.delays["matrix"] = 0.6
    state = _sub(_signed_in(member_session), RequestState)
    slow = RequestState.set_query.fn(state, query="matrix")
    fast = RequestState.set_query.fn(state, query="dune")
    import asyncio

    await asyncio.gather(
        RequestState.search.fn(state, sequence=slow.args[0][1]._var_value, query="matrix"),
        RequestState.search.fn(state, sequence=fast.args[0][1]._var_value, query="dune"),
    )
    assert [r.title for r in state.results] == ["Dune", "Dune: Part Two"]
    assert not state.searching
