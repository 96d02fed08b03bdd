"""Run an ASGI simulator on a free 127.0.0.1 port, in a thread or in a child process."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import uvicorn


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThreadedServer:
    """uvicorn serving one ASGI app in a daemon thread; `url` is its base URL (https with `tls`: a certificate and
    key file, for tests of TLS failures)."""

    def __init__(self, app: Any, port: int | None = None, tls: tuple[str, str] | None = None) -> None:
        self.port = port or free_port()
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        certificate, key = tls or (None, None)
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off", access_log=False,
            ssl_certfile=certificate, ssl_keyfile=key,
        )  # fmt: skip
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True, name=f"sim-{self.port}")

    def start(self, timeout: float = 10.0) -> ThreadedServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"simulator on port {self.port} did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Served:
    """A simulator's serving: its ASGI `app` on 127.0.0.1 and the base URL it answers on."""

    app: Any
    _url: str | None = None

    @property
    def url(self) -> str:
        """Base URL of the running server."""
        if self._url is None:
            raise RuntimeError("not serving: call serve() first")
        return self._url

    def serve(self, port: int | None = None) -> ThreadedServer:
        """A `ThreadedServer` for this simulator (use as a context manager); sets `url`."""
        server = ThreadedServer(self.app, port)
        self._url = server.url
        return server

    def served_at(self, url: str) -> None:
        """Set `url` for a server the caller runs with `self.app` (tests share one across simulators)."""
        self._url = url


@contextlib.contextmanager
def subprocess_server(module: str, args: list[str], ready_path: str = "/", timeout: float = 60.0) -> Iterator[str]:
    """Run `python -m module --port N *args` and yield its base URL once `ready_path` answers.

    Benchmarks use this so the simulator does not share the measured process's GIL.
    """
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", module, "--port", str(port), *args],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{module} exited with {proc.returncode}")
            try:
                httpx.get(url + ready_path, timeout=1.0)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{module} did not answer on {url}") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
