"""No session token and no Plex token is written anywhere but the database (hashed, encrypted): not in Reflex's
state files, not in the app's or the data folder, after a finished and after an abandoned wizard."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from playwright.sync_api import Page, expect

from smartplex.config import PROJECT_ROOT, get_settings
from smartplex.services import auth
from smartplex.simulators.plex import PlexSimulator
from tests.conftest import PASSWORD

TIMEOUT = 30_000
SKIPPED = {".git", ".venv", "node_modules", "__pycache__", "test-output"}


def files_containing(needle: str, *roots: Path) -> list[Path]:
    """Every file under `roots` (the environment, caches and test output left out) that holds `needle`."""
    found, wanted = [], needle.encode()
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in SKIPPED]
            for name in files:
                path = Path(folder) / name
                try:
                    if wanted in path.read_bytes():
                        found.append(path)
                except OSError:
                    continue
    return found


def test_tokens_stay_out_of_files_after_a_wizard_and_an_abandoned_one(page: Page, app_url: str) -> None:
    sim = PlexSimulator(movies=20, shows=1, seasons=1, episodes=2, seed=5, friendly_name="Den")
    other = PlexSimulator(movies=1, shows=0, seed=6, token=secrets.token_hex(16))  # made here: not in any file
    auth.create_first_admin("Ada Admin", "ada@example.com", PASSWORD, PASSWORD)
    with sim.serve() as server, other.serve() as abandoned:
        page.goto(f"{app_url}/login")
        page.fill("#email", "ada@example.com")
        page.fill("#password", PASSWORD)
        page.click("#submit")
        expect(page).to_have_url(re.compile(r"/onboarding$"), timeout=TIMEOUT)
        page.fill("#urls", server.url)
        page.fill("#token", sim.token)
        page.click("#test-connection")
        page.click("#continue", timeout=TIMEOUT)
        page.click("#save-and-sync")
        expect(page.locator("#library-counts")).to_be_visible(timeout=60_000)

        page.goto(f"{app_url}/onboarding?reconnect=1")  # an admin starts over, types a token, walks away
        page.fill("#urls", abandoned.url)
        page.fill("#token", other.token)
        page.click("#test-connection")
        expect(page.locator("#continue")).to_be_visible(timeout=TIMEOUT)
        page.goto(f"{app_url}/history")
        expect(page.locator("#page-title")).to_have_text("History", timeout=TIMEOUT)

    session_token = next(c["value"] for c in page.context.cookies() if c["name"] == auth.SESSION_COOKIE)
    roots = (PROJECT_ROOT, get_settings().data_dir)
    for secret in (session_token, sim.token, other.token):
        assert files_containing(secret, *roots) == [], secret[:6]
