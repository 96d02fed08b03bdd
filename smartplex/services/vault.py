"""Encryption at rest for secrets (Plex tokens, API keys) with Fernet.

The key comes from SMARTPLEX_SECRET_KEY; when unset, one is generated into the data folder on
first use and reused afterwards. Any string is accepted as the env key: it is stretched to a
Fernet key with SHA-256, so operators need not produce base64 themselves.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os

from cryptography.fernet import Fernet, InvalidToken

from smartplex.config import get_settings

KEY_FILE = "secret.key"


class VaultError(Exception):
    """A stored secret could not be decrypted (wrong or rotated key)."""


def _key_from_string(value: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(value.encode()).digest())


@functools.cache
def _key() -> bytes:
    settings = get_settings()
    if settings.secret_key:
        return _key_from_string(settings.secret_key)
    path = settings.data_dir / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(Fernet.generate_key())
    return path.read_bytes().strip()


def _fernet() -> Fernet:
    return Fernet(_key())


def reset() -> None:
    """Forget the loaded key (tests switch data folders)."""
    _key.cache_clear()


def derive(label: str) -> str:
    """A stable identifier of this installation for `label` (an HMAC under the key, so it reveals nothing of
    it): the same on every start, different on every installation, nothing to store."""
    return hmac.new(_key(), label.encode(), hashlib.sha256).hexdigest()


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise VaultError("stored secret cannot be decrypted with the current key") from exc
