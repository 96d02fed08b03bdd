"""SmartPlex's production build (`reflex run --env prod`, one port) in a child process, and a signed-in Chromium page
on it, for the browser benchmarks."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page, Playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.setup_tests import recorded_browser  # noqa: E402


def serve_production(port: int, env: dict[str, str]) -> subprocess.Popen:
    """Start it and wait until /api/health answers (the first build takes minutes)."""
    cmd = [sys.executable, "-m", "reflex", "run", "--env", "prod", "--frontend-port", str(port), "--backend-port", str(port)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(900):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the production server did not start")


def launch_chromium(p: Playwright) -> Browser:
    """The Chromium the test setup brought (scripts/setup_tests.py), with the browser tests' options."""
    chromium = recorded_browser()
    if chromium is None:
        raise RuntimeError("no Chromium set up: run `make test` once (or scripts/setup_tests.py --browser)")
    return p.chromium.launch(**chromium.launch_options())


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    """Sign in through the form and wait for the shell."""
    page.goto(f"{base}/login")
    page.wait_for_selector("#login-form", timeout=60_000)
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#submit")
    page.wait_for_selector("#user-menu", timeout=60_000)


def signed_in(p: Playwright, base: str, email: str, password: str) -> tuple[Browser, Page]:
    """A Chromium with one desktop-sized page signed in as `email` at `base`."""
    browser = launch_chromium(p)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, base, email, password)
    return browser, page
