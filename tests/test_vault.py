"""Secrets at rest: Fernet with a key from SMARTPLEX_SECRET_KEY or a generated key file."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from smartplex.config import reload_settings
from smartplex.services import vault
from smartplex.services.vault import VaultError

PLAINTEXT = "plex-tøken 山田 🎬 x-plex-token=abc"


@pytest.fixture
def env() -> Iterator[pytest.MonkeyPatch]:
    """Environment changes for one test; settings and the loaded key follow them, and are restored after."""
    with pytest.MonkeyPatch.context() as mp:
        yield mp
    reload_settings()
    vault.reset()


def _rekey() -> None:
    reload_settings()
    vault.reset()


def test_roundtrip(env: pytest.MonkeyPatch) -> None:
    _rekey()
    first, second = vault.encrypt(PLAINTEXT), vault.encrypt(PLAINTEXT)
    assert PLAINTEXT not in first
    assert first != second  # random IV per encryption
    assert vault.decrypt(first) == vault.decrypt(second) == PLAINTEXT


def test_other_key_cannot_decrypt(env: pytest.MonkeyPatch) -> None:
    _rekey()
    ciphertext = vault.encrypt(PLAINTEXT)
    env.setenv("SMARTPLEX_SECRET_KEY", "a-different-key")
    _rekey()
    with pytest.raises(VaultError):
        vault.decrypt(ciphertext)
    with pytest.raises(VaultError):
        vault.decrypt("not a fernet token")


def test_generated_key_file(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env.delenv("SMARTPLEX_SECRET_KEY")
    env.setenv("SMARTPLEX_DATA_DIR", str(data_dir))
    _rekey()

    ciphertext = vault.encrypt(PLAINTEXT)
    key_file = data_dir / vault.KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_bytes()

    vault.reset()  # as after a restart: the same file, the same key
    assert vault.decrypt(ciphertext) == PLAINTEXT
    assert key_file.read_bytes() == key

    env.setenv("SMARTPLEX_DATA_DIR", str(tmp_path / "elsewhere"))
    _rekey()
    with pytest.raises(VaultError):
        vault.decrypt(ciphertext)
