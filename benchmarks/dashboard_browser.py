"""Time to the dashboard's first poster in real Chromium against the production build.

Starts the Plex simulator (52,000 items: 10,000 movies; 400 shows x 4 seasons x 25 episodes), seeds
SmartPlex with the demo's members and a full sync, serves `reflex run --env prod` on one port, signs
a member in with Playwright and measures, over several reloads, the milliseconds from navigation
start to the first poster image decoded on the page. Baseline in the same run: the same page with
posters requested straight from the simulator is not possible by design (the browser never talks to
Plex), so the reference figure is the time to the page's first paint.

    .venv/bin/python benchmarks/dashboard_browser.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from smartplex.simulators.server import free_port  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RELOADS = 7
FIRST_POSTER = """() => {
  const imgs = [...document.querySelectorAll('.poster-card img')];
  return imgs.some(i => i.complete && i.naturalWidth > 0);
}"""


def _seed(data_dir: Path) -> tuple[subprocess.Popen, str, str]:
    """Run the simulator in a child process and seed SmartPlex from this one."""
    os.environ.update({"SMARTPLEX_DATA_DIR": str(data_dir), "SMARTPLEX_SECRET_KEY": "bench"})
    from smartplex import demo
    from smartplex.simulators.plex import PlexSimulator

    port = free_port()
    sim_args = ["--port", str(port), "--movies", "10000", "--shows", "400", "--seasons", "4", "--episodes", "25"]
    sim_proc = subprocess.Popen([sys.executable, "-m", "smartplex.simulators.plex", *sim_args], cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            httpx.get(f"{url}/identity", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    # The child serves the same seed-1 library; this object only supplies accounts, token and machine id.
    sim = PlexSimulator(movies=0, shows=0, seasons=0, episodes=0)
    demo._seed(url, sim)
    account = sim.accounts[1]
    return sim_proc, f"{account.name.lower()}@demo.smartplex", demo.MEMBER_PASSWORD


def _serve(port: int, env: dict[str, str]) -> subprocess.Popen:
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


def signed_in(p: Playwright, base: str, email: str, password: str) -> tuple[Browser, Page]:
    """Chromium with one page, signed in as `email` on the app at `base`."""
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base}/login")
    page.wait_for_selector("#login-form", timeout=60_000)
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#submit")
    page.wait_for_selector("#welcome", timeout=60_000)
    return browser, page


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="smartplex-bench-") as scratch:
        data_dir = Path(scratch) / "data"
        sim_proc, email, password = _seed(data_dir)
        port = free_port()
        env = {**os.environ, "SMARTPLEX_SCHEDULER": "0", "SMARTPLEX_LOG_LEVEL": "WARNING"}
        app = _serve(port, env)
        base = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as p:
                browser, page = signed_in(p, base, email, password)
                first_poster, first_paint = [], []
                for _ in range(RELOADS):
                    page.goto(f"{base}/", wait_until="commit")
                    page.wait_for_function(FIRST_POSTER, timeout=30_000, polling=10)
                    first_poster.append(page.evaluate("performance.now()"))
                    paint = page.evaluate(
                        "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null"
                    )
                    if paint is not None:
                        first_paint.append(paint)
                browser.close()
        finally:
            app.terminate()
            sim_proc.terminate()
            app.wait(30)
            sim_proc.wait(30)
    median = statistics.median(first_poster)
    paint = statistics.median(first_paint) if first_paint else None
    print(
        json.dumps(
            {
                "benchmark": "dashboard_browser",
                "library_items": 52000,
                "reloads": RELOADS,
                "first_poster_ms": {"median": round(median), "max": round(max(first_poster)), "runs": [round(v) for v in first_poster]},
                "baseline_first_contentful_paint_ms": round(paint) if paint else None,
                "ratio_first_poster_to_first_paint": round(median / paint, 2) if paint else None,
                "targets": {"first_poster_ms_max": 2000},
                "meets_target": median < 2000,
            }
        )
    )


if __name__ == "__main__":
    main()
