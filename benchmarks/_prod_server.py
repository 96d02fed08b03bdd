"""SmartPlex's production build (`reflex run --env prod`, one port) in a child process, for the browser benchmarks."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent


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


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip


def launch_chromium(playwright: Any) -> Any:
    """The Chromium `make test` set up (Debian's, or the one from the npm registry), headless."""
    sys.path.insert(0, str(ROOT))
    from scripts.setup_tests import recorded_browser

    found = recorded_browser()
    return playwright.chromium.launch(
        executable_path=found.executable if found else "/usr/bin/chromium",
        args=CHROMIUM_ARGS,
        env={**os.environ, **(found.env if found else {})},
    )


def sign_in(page: Any, base: str, email: str, password: str) -> None:
    """Sign in through the form and wait for the shell."""
    page.goto(f"{base}/login")
    page.wait_for_selector("#login-form", timeout=60_000)
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#submit")
    page.wait_for_selector("#user-menu", timeout=60_000)
