""""Play in Plex": the app.plex.tv form, the server's own web address when the admin prefers it, never a token."""

from __future__ import annotations

import pytest

from smartplex.services import preferences
from smartplex.services.auth import AuthError, UserView
from smartplex.services.plex import links
from tests import factories


def test_the_app_plex_tv_form() -> None:
    assert links.play_url("abc123", "5813") == (
        "https://app.plex.tv/desktop#!/server/abc123/details?key=%2Flibrary%2Fmetadata%2F5813"
    )


def test_the_servers_own_web_address() -> None:
    assert links.play_url("abc123", "5813", "https://plex.example.com:32400/") == (
        "https://plex.example.com:32400/web/index.html#!/server/abc123/details?key=%2Flibrary%2Fmetadata%2F5813"
    )


def test_odd_keys_cannot_break_out_of_the_link() -> None:
    url = links.play_url("m/../x?y", "1&X-Plex-Token=stolen#z")
    assert "X-Plex-Token=" not in url and "#z" not in url and "/../" not in url
    assert url.endswith("key=%2Flibrary%2Fmetadata%2F1%26X-Plex-Token%3Dstolen%23z")


def test_links_for_a_server_follow_the_admins_preference(admin: UserView, member: UserView) -> None:
    server = factories.server(admin.id, machine_id="f" * 40, token="secret-plex-token")
    assert links.for_server(server).url("7") == links.play_url("f" * 40, "7")
    assert links.for_server(server).url(None) == "" and links.for_server(0).url("7") == ""

    assert preferences.set_plex_web_url(admin.id, " https://plex.example.com:32400/web ") == "https://plex.example.com:32400"
    url = links.for_server(server).url("7")
    assert url.startswith("https://plex.example.com:32400/web/index.html#!/server/" + "f" * 40)
    assert "secret-plex-token" not in url

    with pytest.raises(AuthError):
        preferences.set_plex_web_url(member.id, "https://evil.example")
    with pytest.raises(preferences.PreferenceError):
        preferences.set_plex_web_url(admin.id, "javascript:alert(1)")
    assert preferences.set_plex_web_url(admin.id, "") is None
    assert links.for_server(server).url("7").startswith(links.APP_PLEX)
