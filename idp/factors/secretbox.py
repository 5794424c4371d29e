"""Encryption at rest for factor secrets that must be read back (TOTP seeds).

Fernet (AES-128-CBC + HMAC-SHA256) with a key derived by HKDF from the server secret, so a
database dump alone does not reveal the seeds. Changing ``GOSID_SECRET_KEY`` makes enrolled
TOTP apps unreadable: people then enrol again (documented in docs/FACTORS.md).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class SecretUnreadable(RuntimeError):
    """The stored secret was encrypted with another key or was altered."""


class SecretBox:
    def __init__(self, server_secret: str, *, purpose: str) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"gosid:{purpose}".encode()).derive(
            server_secret.encode("utf-8")
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError) as exc:
            raise SecretUnreadable("the secret cannot be decrypted with the current key") from exc
