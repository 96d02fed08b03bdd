"""Bring what the test suite needs beyond the virtualenv; `make test` and `make test-quick` call this.

- Always: the npm tools package in tools/ (Prism, for mock servers built from OpenAPI specs).
- With `--browser`: a headless Chromium and CJK fonts. Debian's `chromium` and `fonts-noto-cjk` via apt-get
  when this machine can install packages (root, or passwordless sudo); otherwise the Chromium shipped inside
  the npm package @sparticuz/chromium, unpacked into tools/chromium/, with Noto Sans JP from the npm registry
  made visible to it through a project-local fontconfig file. `SMARTPLEX_TEST_BROWSER=registry` forces the
  second way, `system` the first.

What was set up is recorded in tools/browser.json (read by tests/browser/conftest.py); the npm install is
stamped with the lockfile's hash. A second run finds both and does no network or apt work.
Standard library only: this runs before anything but the virtualenv exists.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools"
NODE_MODULES = TOOLS / "node_modules"
NODE_STAMP = NODE_MODULES / ".smartplex-lock-sha256"
RECORD = TOOLS / "browser.json"
REGISTRY_CHROMIUM_DIR = TOOLS / "chromium"
FONTS_CONF = TOOLS / "fonts.conf"
APT_PACKAGES = ("chromium", "fonts-noto-cjk")
MODES = ("auto", "system", "registry")

# Unpacks the brotli-compressed browser next to its fonts; @sparticuz/chromium extracts into os.tmpdir().
_UNPACK_JS = """import("@sparticuz/chromium").then(async ({default: chromium}) => {
  chromium.setGraphicsMode = false;
  await chromium.executablePath();
});"""

_FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<!-- Written by scripts/setup_tests.py: the machine's fonts plus the ones from tools/node_modules. -->
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{chromium_fonts}</dir>
  <dir>{cjk_fonts}</dir>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""


# Headless as root on a closed network: no sandbox, no GPU, and none of the background calls it would make.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@dataclass(frozen=True)
class Browser:
    """A Chromium the browser tests launch, with the environment it needs (a fontconfig file, say)."""

    executable: str
    source: str  # "system" (Debian's package) or "registry" (unpacked from the npm package)
    env: dict[str, str] = field(default_factory=dict)

    def launch_options(self) -> dict[str, object]:
        """Playwright's `chromium.launch()` options for it (the tests and the browser benchmarks alike)."""
        return {"executable_path": self.executable, "args": list(CHROMIUM_ARGS), "env": {**os.environ, **self.env}}


def say(message: str) -> None:
    print(f"setup-tests: {message}", file=sys.stderr, flush=True)


def _run(command: list[str], **kwargs: object) -> None:
    say("$ " + " ".join(command))
    subprocess.run(command, check=True, **kwargs)  # type: ignore[call-overload]


def ensure_node_tools() -> None:
    """`npm ci` in tools/ unless the installed tree matches the committed lockfile."""
    digest = hashlib.sha256((TOOLS / "package-lock.json").read_bytes()).hexdigest()
    if NODE_STAMP.exists() and NODE_STAMP.read_text() == digest:
        return
    if shutil.which("npm") is None:
        raise SystemExit("setup-tests: npm is missing; run through make (it puts the virtualenv's node on PATH)")
    _run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=TOOLS)
    NODE_STAMP.write_text(digest)


def apt_prefix() -> list[str] | None:
    """How to run apt-get here ([] as root, sudo -n otherwise), or None when this machine cannot install packages."""
    if shutil.which("apt-get") is None or shutil.which("dpkg-query") is None:
        return None
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True, check=False).returncode == 0:
        return ["sudo", "-n"]
    return None


def missing_apt_packages() -> list[str]:
    def installed(package: str) -> bool:
        query = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True, check=False
        )
        return query.stdout.strip() == "install ok installed"

    return [p for p in APT_PACKAGES if not installed(p)]


def system_browser(prefix: list[str]) -> Browser:
    missing = missing_apt_packages()
    if missing:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        _run([*prefix, "apt-get", "update", "-qq"], env=env)
        _run([*prefix, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], env=env)
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    return Browser(executable=executable, source="system")


def registry_browser() -> Browser:
    ensure_node_tools()
    executable = REGISTRY_CHROMIUM_DIR / "chromium"
    if not executable.exists():
        REGISTRY_CHROMIUM_DIR.mkdir(parents=True, exist_ok=True)
        say(f"unpacking Chromium from @sparticuz/chromium into {REGISTRY_CHROMIUM_DIR}")
        env = {**os.environ, "TMPDIR": str(REGISTRY_CHROMIUM_DIR)}
        subprocess.run(["node", "--input-type=module", "-e", _UNPACK_JS], cwd=TOOLS, env=env, check=True)
    FONTS_CONF.write_text(
        _FONTS_CONF.format(
            chromium_fonts=REGISTRY_CHROMIUM_DIR / "fonts",
            cjk_fonts=NODE_MODULES / "@embedpdf" / "fonts-jp" / "fonts",
            cache=TOOLS / "fontconfig-cache",
        )
    )
    return Browser(executable=str(executable), source="registry", env={"FONTCONFIG_FILE": str(FONTS_CONF)})


def recorded_browser() -> Browser | None:
    """The browser the last setup recorded, if it is still there."""
    try:
        browser = Browser(**json.loads(RECORD.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    if not Path(browser.executable).exists():
        return None
    if browser.source == "system" and missing_apt_packages():
        return None
    return browser


def ensure_browser(mode: str) -> Browser:
    recorded = recorded_browser()
    if recorded and mode in ("auto", recorded.source):
        return recorded
    prefix = apt_prefix() if mode != "registry" else None
    if mode == "system" and prefix is None:
        raise SystemExit("setup-tests: SMARTPLEX_TEST_BROWSER=system, but this machine cannot install packages")
    browser: Browser | None = None
    if prefix is not None:
        try:
            browser = system_browser(prefix)
        except subprocess.CalledProcessError as exc:
            if mode == "system":
                raise
            say(f"apt-get failed ({exc}); using the Chromium from the npm registry instead")
    browser = browser or registry_browser()
    RECORD.write_text(json.dumps(asdict(browser), indent=2) + "\n")
    say(f"browser: {browser.executable} ({browser.source})")
    return browser


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--browser", action="store_true", help="also bring Chromium and the CJK fonts")
    args = parser.parse_args(argv)
    mode = os.environ.get("SMARTPLEX_TEST_BROWSER", "auto")
    if mode not in MODES:
        raise SystemExit(f"setup-tests: SMARTPLEX_TEST_BROWSER must be one of {', '.join(MODES)}, not {mode!r}")
    ensure_node_tools()
    if args.browser:
        ensure_browser(mode)


if __name__ == "__main__":
    main()
