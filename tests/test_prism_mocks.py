"""The Prism mocks of Overseerr / Seerr and OpenAI answer spec-conforming requests and report the rest."""

from __future__ import annotations

import httpx

from tests.prism import PrismMock

SEARCH = "/api/v1/search"


def test_valid_overseerr_search_passes(overseerr_mock: PrismMock) -> None:
    base_url, violations = overseerr_mock
    overseerr_mock.clear()
    answer = httpx.get(base_url + SEARCH, params={"query": "Face/Off", "page": 1}, headers={"X-Api-Key": "k"})
    assert answer.request.url.raw_path == b"/api/v1/search?query=Face%2FOff&page=1"
    assert answer.status_code == 200
    assert {"page", "totalPages", "results"} <= set(answer.json())
    assert violations() == []


def test_invalid_overseerr_requests_are_reported(overseerr_mock: PrismMock) -> None:
    overseerr_mock.clear()
    no_key = httpx.get(overseerr_mock.base_url + SEARCH, params={"query": "Face/Off", "page": 1})
    assert no_key.status_code == 401
    bad_query = httpx.get(overseerr_mock.base_url + SEARCH, params={"page": "first"}, headers={"X-Api-Key": "k"})
    assert bad_query.status_code == 422
    assert overseerr_mock.violations() == [
        "GET /api/v1/search: Invalid security scheme used",
        "GET /api/v1/search: Request query must have required property 'query'",
        "GET /api/v1/search: Request query parameter page must be number",
    ]


def test_valid_chat_completion_passes(openai_mock: PrismMock) -> None:
    base_url, violations = openai_mock
    openai_mock.clear()
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "What should I watch tonight?"}]}
    answer = httpx.post(base_url + "/v1/chat/completions", json=body, headers={"Authorization": "Bearer sk-test"})
    assert answer.status_code == 200
    assert answer.json()["choices"][0]["message"]["role"] == "assistant"
    assert violations() == []
    assert httpx.post(base_url + "/v1/chat/completions", json=body).status_code == 401
    assert violations() == ["POST /v1/chat/completions: Invalid security scheme used"]
