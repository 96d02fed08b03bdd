"""GET /api/health from stored results: its latency with every integration's status and the age of the last sync
and webhook, over a week of stored probes and 200,000 webhook events.

SmartPlex's API app (`create_api()`, as Reflex mounts it) is served by uvicorn in this process on 127.0.0.1 and
asked REQUESTS times by one httpx client; the figure is the client's round trip. Plex, Seerr and Tautulli are their
simulators, answering; the AI provider is a stand-in that lists one model at `GET /v1/models`. The baseline, measured in the same run, is what a health endpoint that probed inline would
cost with everything healthy: one concurrent `probes.probe_all` (and with one service hanging it would cost the
whole probe timeout). Prints one JSON object.

    .venv/bin/python benchmarks/health_latency.py
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REQUESTS = 300
DELIVERIES = 200_000
PROBE_EVERY = timedelta(minutes=3)
PROBE_WEEK = int(timedelta(days=7) / PROBE_EVERY)
TARGET_MS = 50


def _seed_history(server_id: int, owner_id: int, integration_ids: list[int]) -> None:
    """A week of probes per integration and DELIVERIES webhook deliveries, written in bulk."""
    from smartplex.db import get_engine
    from smartplex.models import PROBES, SERVERS, WEBHOOK_EVENTS, utcnow

    now = utcnow()
    probes = [{"integration_id": i, "checked_at": now - PROBE_EVERY * n, "status": "ok" if n % 50 else "down",
               "latency_ms": 20 + n % 40, "version": "1.0", "error": None if n % 50 else "timeout"}
              for i in integration_ids for n in range(PROBE_WEEK)]  # fmt: skip
    events = [{"received_at": now - timedelta(seconds=3 * n), "owner_id": owner_id, "server_id": server_id, "source": "plex",
               "event": "media.play", "status": "accepted" if n % 10 else "duplicate", "payload_hash": f"{n:064x}"}
              for n in range(DELIVERIES)]  # fmt: skip
    with get_engine().begin() as conn:
        conn.execute(PROBES.insert(), probes)
        conn.execute(WEBHOOK_EVENTS.insert(), events)
        conn.execute(SERVERS.update().values(last_incremental_sync_at=now - timedelta(minutes=2),
                                             last_full_sync_at=now - timedelta(days=2)))  # fmt: skip


def _models_endpoint() -> object:
    """An OpenAI-compatible endpoint as far as the health check asks: the list of models."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    listing = {"object": "list", "data": [{"id": "gpt-4o-mini", "object": "model", "created": 0, "owned_by": "bench"}]}
    return Starlette(routes=[Route("/v1/models", lambda _request: JSONResponse(listing))])


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="smartplex-bench-") as scratch:
        os.environ.update({"SMARTPLEX_DATA_DIR": str(Path(scratch) / "data"), "SMARTPLEX_SECRET_KEY": "bench",
                           "SMARTPLEX_LOG_LEVEL": "WARNING"})  # fmt: skip
        from smartplex import log, migrations
        from smartplex.api import create_api
        from smartplex.models import IntegrationKind
        from smartplex.services import auth
        from smartplex.services.ai import provider
        from smartplex.services.integrations import probes, store
        from smartplex.services.plex import servers
        from smartplex.services.tautulli import setup as tautulli_setup
        from smartplex.simulators.overseerr import OverseerrSimulator
        from smartplex.simulators.plex import PlexSimulator
        from smartplex.simulators.server import ThreadedServer
        from smartplex.simulators.tautulli import TautulliSimulator

        log.configure("WARNING")
        migrations.upgrade()
        admin = auth.create_user("Bench Admin", "bench@example.com", "bench-password-1")
        plex = PlexSimulator(movies=20, shows=1, seasons=1, episodes=2, seed=1, friendly_name="Bench Plex")
        seerr = OverseerrSimulator()
        tautulli = TautulliSimulator.watching(plex, plex.machine_identifier)
        with (
            plex.serve(), seerr.serve(), tautulli.serve() as tautulli_server, ThreadedServer(_models_endpoint()) as models,
            ThreadedServer(create_api()) as api,
        ):  # fmt: skip
            server = servers.save_server(admin.id, name=plex.friendly_name, machine_id=plex.machine_identifier, urls=[plex.url],
                                         preferred_url=plex.url, token=plex.token, version="1.41.3")  # fmt: skip
            store.save(admin.id, IntegrationKind.OVERSEERR, base_url=seerr.url, secret=seerr.api_key)
            tautulli_setup.save(admin.id, tautulli_server.url, tautulli.api_key)
            provider.save(admin.id, base_url=models.url + "/v1", api_key="sk-bench", model="gpt-4o-mini")
            targets = probes.targets()
            _seed_history(server.id, admin.id, [t.integration_id for t in targets])
            asyncio.run(probes.probe_all())  # the latest results, as the scheduler leaves them
            inline = []
            for _ in range(5):
                began = time.perf_counter()
                asyncio.run(probes.probe_all())
                inline.append(time.perf_counter() - began)
            with httpx.Client(base_url=api.url) as client:
                body = client.get("/api/health").json()
                for _ in range(20):  # warm-up
                    client.get("/api/health")
                took = []
                for _ in range(REQUESTS):
                    began = time.perf_counter()
                    assert client.get("/api/health").status_code == 200
                    took.append((time.perf_counter() - began) * 1000)
    took.sort()
    median, p95 = statistics.median(took), took[int(len(took) * 0.95)]
    inline_ms = statistics.median(inline) * 1000
    print(json.dumps({
        "benchmark": "health_latency",
        "requests": REQUESTS,
        "integrations": len(body["integrations"]),
        "stored_probes": PROBE_WEEK * len(targets),
        "webhook_events": DELIVERIES,
        "report": {"status": body["status"], "last_sync": body["last_sync"], "last_webhook_s": body["last_webhook"]["seconds"],
                   "statuses": {i["kind"]: i["status"] for i in body["integrations"]}},
        "median_ms": round(median, 2),
        "p95_ms": round(p95, 2),
        "max_ms": round(took[-1], 2),
        "baseline": {"probing_inline_all_healthy_median_ms": round(inline_ms, 1),
                     "probing_inline_one_hanging_ms": probes.timeout() * 1000},
        "ratio_to_inline_probing": round(median / inline_ms, 3),
        "target_ms": TARGET_MS,
        "meets_target": p95 < TARGET_MS,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
