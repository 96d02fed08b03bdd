"""Connection racing: four candidate URLs, three of which accept TCP connections and never answer.

Prints one JSON object: seconds until the race has its winner (median of REPEATS), the live
server's own probe time, and the old sequential design (one candidate after another with a 5 s
timeout) computed as 3 x 5 s + the live probe time, since running it would only measure the
timeouts. Then the round trips a request through the stored preferred connection costs beyond the
request itself (target 0), counted in the request log of an in-process simulator.

    .venv/bin/python benchmarks/connect_race.py
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import Iterator

import _plex_bench as bench  # first: it sets up the environment
import orjson

from smartplex.services.plex import accounts, connect
from smartplex.simulators.plex import PlexSimulator

REPEATS = 5
SEQUENTIAL_TIMEOUT_S = 5.0


@contextlib.contextmanager
def silent_servers(count: int) -> Iterator[list[str]]:
    """Addresses that accept connections (the kernel completes the handshake) and never answer."""
    with contextlib.ExitStack() as stack:
        urls = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind(("127.0.0.1", 0))
            sock.listen(64)
            urls.append(f"http://127.0.0.1:{sock.getsockname()[1]}")
        yield urls


def timed_race(urls: list[str]) -> tuple[float, connect.Probe]:
    began = time.perf_counter()
    won = asyncio.run(connect.race(urls, bench.TOKEN, bench.MACHINE_ID))
    return time.perf_counter() - began, won


def extra_round_trips() -> int:
    """Requests beyond the one asked for, through a stored server's preferred connection."""
    sim = PlexSimulator(movies=10, shows=1, token=bench.TOKEN, machine_identifier=bench.MACHINE_ID)
    with sim.serve():
        server_id = bench.connect(bench.fresh_database("race"), sim.url)
        accounts.plex_accounts(server_id)
        return len(sim.requests) - 1


def main() -> None:
    with bench.simulator("--movies", "10", "--shows", "1") as live, silent_servers(3) as silent:
        timed_race([live])  # warm-up: imports, first connection
        candidates = [*silent, live]
        races = [timed_race(candidates) for _ in range(REPEATS)]
        live_only = [timed_race([live])[0] for _ in range(REPEATS)]
    assert all(won.url == live for _, won in races)
    race_s, live_s = bench.median([s for s, _ in races]), bench.median(live_only)
    sequential_s = 3 * SEQUENTIAL_TIMEOUT_S + live_s
    figures = {
        "benchmark": "connect_race",
        "candidates": len(candidates),
        "silent_candidates": len(silent),
        "race_s": race_s,
        "race_runs_s": [round(s, 4) for s, _ in races],
        "live_probe_s": live_s,
        "baseline_sequential_5s_timeout_s_computed": round(sequential_s, 3),
        "ratio_race_to_sequential": round(race_s / sequential_s, 4),
        "cached_connection_extra_round_trips": extra_round_trips(),
        "targets": {"race_s_max": 1.5, "cached_connection_extra_round_trips": 0},
    }
    print(orjson.dumps(figures).decode())


if __name__ == "__main__":
    main()
