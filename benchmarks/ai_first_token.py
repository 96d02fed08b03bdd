"""Time from the provider's first streamed chunk to that text being visible in the browser, against the production
build.

Seeds SmartPlex from a small simulated Plex library (the demo's members), points the AI provider at the OpenAI
simulator (in this process, so its clock and ours agree; every stream waits FIRST_CHUNK_DELAY before its first
chunk, a model thinking), serves `reflex run --env prod` on one port, signs a member in with Playwright and asks
ASKS questions. For each: the wall-clock moment the simulator sent the answer's first text chunk, and the moment
a MutationObserver in the page saw text in the streaming bubble. Baseline in the same run: the same stream read
straight from the simulator by a Python client (the floor: network and parsing only).

    .venv/bin/python benchmarks/ai_first_token.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _prod_server import serve_production, signed_in  # noqa: E402

from smartplex.simulators.openai import OpenAISimulator  # noqa: E402
from smartplex.simulators.server import free_port  # noqa: E402

ASKS = 10
FIRST_CHUNK_DELAY = 0.4
TARGET_MS = 300
KEY = "sk-bench-first-token"
QUESTION = "What's trending?"
WATCH = """() => {
  window.__firstText = null;
  const seen = () => {
    const el = document.querySelector('#chat-streaming');
    if (!window.__firstText && el && el.innerText.trim()) window.__firstText = Date.now();
  };
  window.__observer?.disconnect();
  window.__observer = new MutationObserver(seen);
  window.__observer.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def _seed(data_dir: Path, sim_url: str) -> tuple[str, str]:
    os.environ.update({"SMARTPLEX_DATA_DIR": str(data_dir), "SMARTPLEX_SECRET_KEY": "bench"})
    from smartplex import demo
    from smartplex.services import auth
    from smartplex.services.ai import provider
    from smartplex.simulators.plex import PlexSimulator

    plex = PlexSimulator(movies=300, shows=5, seasons=2, episodes=5, seed=3, plays_per_account=40)
    with plex.serve() as server:
        demo._seed(server.url, plex)
    admin = auth.user_by_email(demo.ADMIN_EMAIL)
    provider.save(admin.id, base_url=f"{sim_url}/v1", model="gpt-4o-mini", api_key=KEY, timeout_s=30)
    return f"{plex.accounts[1].name.lower()}@demo.smartplex", demo.MEMBER_PASSWORD


def _floor(sim_url: str) -> float:
    """Milliseconds from the simulator sending its first text chunk to a plain client reading it."""
    body = {"model": "gpt-4o-mini", "stream": True, "messages": [{"role": "user", "content": "hello"}]}
    with httpx.stream("POST", f"{sim_url}/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {KEY}"}, timeout=30) as answer:
        for line in answer.iter_lines():
            if '"content"' in line:
                return time.time() * 1000
    raise RuntimeError("no text chunk")


def main() -> None:
    sim = OpenAISimulator(api_key=KEY, first_chunk_delay=FIRST_CHUNK_DELAY, chunk_delay=0.02)
    with tempfile.TemporaryDirectory(prefix="smartplex-bench-") as scratch, sim.serve() as sim_server:
        email, password = _seed(Path(scratch) / "data", sim_server.url)
        floor = []
        for _ in range(ASKS):
            seen = _floor(sim_server.url)
            floor.append(seen - sim.first_chunk_sent_at[-1] * 1000)
        port = free_port()
        app = serve_production(port, {**os.environ, "SMARTPLEX_SCHEDULER": "0", "SMARTPLEX_LOG_LEVEL": "WARNING"})
        base = f"http://127.0.0.1:{port}"
        lags = []
        try:
            with sync_playwright() as p:
                browser, page = signed_in(p, base, email, password)
                page.goto(f"{base}/chat")
                page.wait_for_selector("#chat-input", timeout=60_000)
                for n in range(ASKS):
                    page.evaluate(WATCH)
                    sent = len(sim.first_chunk_sent_at)
                    page.fill("#chat-input", QUESTION)
                    page.click("#chat-send")
                    page.wait_for_function("() => window.__firstText !== null", timeout=60_000, polling="raf")
                    page.wait_for_selector("#chat-send", timeout=60_000)  # the answer is complete
                    first_seen = page.evaluate("window.__firstText")
                    assert len(sim.first_chunk_sent_at) > sent, "the simulator streamed no text"
                    lags.append(first_seen - sim.first_chunk_sent_at[sent] * 1000)
                    if n % 4 == 3:
                        page.click("#chat-new")
                browser.close()
        finally:
            app.terminate()
            app.wait(30)
    median = statistics.median(lags)
    print(json.dumps({
        "benchmark": "ai_first_token",
        "asks": ASKS,
        "provider_first_chunk_delay_ms": FIRST_CHUNK_DELAY * 1000,
        "first_token_visible_after_provider_chunk_ms": {"median": round(median), "max": round(max(lags)), "runs": [round(v) for v in lags]},
        "baseline_plain_client_ms": {"median": round(statistics.median(floor), 1), "runs": [round(v, 1) for v in floor]},
        "targets": {"median_ms_max": TARGET_MS},
        "meets_target": median <= TARGET_MS,
    }))


if __name__ == "__main__":
    main()
