"""How API callers prove who they are, declared once for every route and for the OpenAPI document: the session
cookie a signed-in browser holds, and an admin's API token as a bearer token (scripts and monitors)."""

from __future__ import annotations

import asyncio

from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from smartplex.services import api_tokens, auth
from smartplex.services.auth import UserView

session_cookie = APIKeyCookie(
    name=auth.SESSION_COOKIE,
    scheme_name="session",
    auto_error=False,
    description="The SmartPlex session the browser holds after signing in; sent with <img> requests.",
)

api_token = HTTPBearer(
    scheme_name="api_token",
    auto_error=False,
    description="An admin's API token (Admin → Integrations → API tokens), as `Authorization: Bearer spx_…`.",
)


async def caller(bearer: HTTPAuthorizationCredentials | None, session_token: str | None) -> UserView | None:
    """The person behind a request: an API token when one is sent (a wrong one is not made up for by a cookie),
    else the session."""
    if bearer is not None:
        return await asyncio.to_thread(api_tokens.user_for_token, bearer.credentials)
    return await asyncio.to_thread(auth.user_for_session, session_token)
