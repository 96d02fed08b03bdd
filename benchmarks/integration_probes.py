"""Probing four integrations of which two hang: Plex and Overseerr / Seerr answer (their simulators, on 127.0.0.1),
Tautulli and the AI provider accept connections and never say a word.

Each run probes everything at once through `probes.probe_all` with the probe timeout (TIMEOUT_S) and records the
results as the scheduler does. Runs are TIMEOUT_S apart, so the threads of the hung probes have given up by then
(a probe whose previous thread still waits answers at once instead, which would flatter the figure). The target: no longer than one timeout, however many hang. The baseline, measured
in the same run: the same four probes one after another (what a loop over the integrations would cost, about two
timeouts). Prints one JSON object; medians of RUNS.

    .venv/bin/python benchmarks/integration_probes.py
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RUNS = 5
TIMEOUT_S = 2.0


@contextlib.contextmanager
def silent(count: int) -> Iterator[list[str]]:
    """Addresses that accept TCP connections (the kernel completes the handshake) and never answer."""
    with contextlib.ExitStack() as stack:
        urls = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket())
            sock.bind(("127.0.0.1", 0))
            sock.listen(64)
            urls.append(f"http://127.0.0.1:{sock.getsockname()[1]}")
        yield urls


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="smartplex-bench-") as scratch:
        os.environ.update({"SMARTPLEX_DATA_DIR": str(Path(scratch) / "data"), "SMARTPLEX_SECRET_KEY": "bench",
                           "SMARTPLEX_LOG_LEVEL": "WARNING", "SMARTPLEX_PROBE_TIMEOUT": str(TIMEOUT_S)})  # fmt: skip
        from smartplex import log, migrations
        from smartplex.models import IntegrationKind
        from smartplex.services import auth
        from smartplex.services.ai import provider
        from smartplex.services.integrations import probes, store
        from smartplex.services.plex import servers
        from smartplex.services.tautulli import setup as tautulli_setup
        from smartplex.simulators.overseerr import OverseerrSimulator
        from smartplex.simulators.plex import PlexSimulator

        log.configure("WARNING")
        migrations.upgrade()
        admin = auth.create_user("Bench Admin", "bench@example.com", "bench-password-1")
        plex = PlexSimulator(movies=20, shows=1, seasons=1, episodes=2, seed=1, friendly_name="Bench Plex")
        seerr = OverseerrSimulator()
        with plex.serve(), seerr.serve(), silent(2) as (tautulli_url, ai_url):
            servers.save_server(admin.id, name=plex.friendly_name, machine_id=plex.machine_identifier, urls=[plex.url],
                                preferred_url=plex.url, token=plex.token, version="1.41.3")  # fmt: skip
            store.save(admin.id, IntegrationKind.OVERSEERR, base_url=seerr.url, secret=seerr.api_key)
            tautulli_setup.save(admin.id, tautulli_url, "0123456789abcdef")
            provider.save(admin.id, base_url=ai_url + "/v1", api_key="sk-bench", model="gpt-4o-mini")

            async def concurrent() -> tuple[float, dict[str, str]]:
                began = time.perf_counter()
                found = await probes.probe_all(TIMEOUT_S)
                return time.perf_counter() - began, {t.kind: o.status for t, o in found}

            async def one_after_another() -> float:
                began = time.perf_counter()
                for target in await asyncio.to_thread(probes.targets):
                    await probes.probe(target, TIMEOUT_S)
                return time.perf_counter() - began

            asyncio.run(concurrent())  # warm-up: imports, first connections
            runs, baseline, statuses = [], [], {}
            for _ in range(RUNS):
                time.sleep(TIMEOUT_S)  # the hung probes' threads give up meanwhile (a probe is never doubled up)
                took, statuses = asyncio.run(concurrent())
                runs.append(took)
                time.sleep(TIMEOUT_S)
                baseline.append(asyncio.run(one_after_another()))
    median, sequential = statistics.median(runs), statistics.median(baseline)
    print(json.dumps({
        "benchmark": "integration_probes",
        "integrations": len(statuses),
        "hanging": 2,
        "timeout_s": TIMEOUT_S,
        "statuses": statuses,
        "median_s": round(median, 3),
        "runs_s": [round(r, 3) for r in runs],
        "baseline": {"one_after_another_median_s": round(sequential, 3), "runs_s": [round(r, 3) for r in baseline]},
        "ratio_to_baseline": round(median / sequential, 3),
        "target_s": TIMEOUT_S,
        "meets_target": max(runs) <= TIMEOUT_S + 0.5 and median <= TIMEOUT_S + 0.25,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
