"""Token-signing keys: generated on first run, loaded once per process.

Layout under ``keys_dir/signing/``: one PEM file per key (mode 0600) and ``keyring.json``
listing each key's ``kid``, algorithm, status (``active`` or ``retired``) and dates. Loading
an RSA key costs tens of milliseconds, so :class:`KeyRing` is built in the app factory and
kept; requests only read it.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from joserfc.jwk import ECKey, KeySet, RSAKey

SUPPORTED_ALGS = ("RS256", "ES256")


class KeyRingError(RuntimeError):
    pass


@dataclass(frozen=True)
class SigningKey:
    kid: str
    alg: str
    status: str
    key: RSAKey | ECKey

    def public_jwk(self) -> dict[str, Any]:
        data = dict(self.key.as_dict(private=False))
        data.update({"kid": self.kid, "alg": self.alg, "use": "sig"})
        return data


def _generate(alg: str) -> RSAKey | ECKey:
    if alg == "RS256":
        return RSAKey.generate_key(2048, private=True)
    if alg == "ES256":
        return ECKey.generate_key("P-256", private=True)
    raise KeyRingError(f"unsupported signing algorithm {alg!r}")


def _import(pem: bytes, *, alg: str, kid: str) -> RSAKey | ECKey:
    params: dict[str, Any] = {"kid": kid, "alg": alg, "use": "sig"}
    if alg == "RS256":
        return RSAKey.import_key(pem, params)  # type: ignore[arg-type]
    return ECKey.import_key(pem, params)  # type: ignore[arg-type]


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    with (directory / ".lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


class KeyRing:
    """The active and retired signing keys of this IdP."""

    def __init__(self, keys: list[SigningKey]) -> None:
        self._keys = keys
        self._by_kid = {k.kid: k for k in keys}

    @classmethod
    def load_or_create(cls, keys_dir: Path) -> KeyRing:
        directory = keys_dir / "signing"
        with _locked(directory):
            manifest = _read_manifest(directory)
            for alg in SUPPORTED_ALGS:
                if not any(e["alg"] == alg and e["status"] == "active" for e in manifest):
                    manifest.append(_create_key(directory, alg))
            _write_manifest(directory, manifest)
            return cls([_load_entry(directory, e) for e in manifest])

    @classmethod
    def rotate(cls, keys_dir: Path, alg: str) -> tuple[str, str | None]:
        """Make a new active key for ``alg``; the previous one stays published as retired."""
        directory = keys_dir / "signing"
        with _locked(directory):
            manifest = _read_manifest(directory)
            old = None
            for entry in manifest:
                if entry["alg"] == alg and entry["status"] == "active":
                    entry["status"] = "retired"
                    entry["retired_at"] = datetime.now(UTC).isoformat()
                    old = entry["kid"]
            new = _create_key(directory, alg)
            manifest.append(new)
            _write_manifest(directory, manifest)
            return new["kid"], old

    def active(self, alg: str) -> SigningKey:
        for key in self._keys:
            if key.alg == alg and key.status == "active":
                return key
        raise KeyRingError(f"no active key for {alg}")

    def find(self, kid: str) -> SigningKey | None:
        return self._by_kid.get(kid)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.public_jwk() for k in self._keys]}

    def verification_keyset(self) -> KeySet:
        return KeySet([k.key for k in self._keys])


def _read_manifest(directory: Path) -> list[dict[str, Any]]:
    path = directory / "keyring.json"
    if not path.exists():
        return []
    data: list[dict[str, Any]] = json.loads(path.read_text())
    return data


def _write_manifest(directory: Path, manifest: list[dict[str, Any]]) -> None:
    tmp = directory / "keyring.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2))
    tmp.chmod(0o600)
    tmp.replace(directory / "keyring.json")


def _create_key(directory: Path, alg: str) -> dict[str, Any]:
    key = _generate(alg)
    kid = key.thumbprint()
    file_name = f"{alg.lower()}-{kid[:16]}.pem"
    _write_private(directory / file_name, key.as_pem(private=True))
    return {
        "kid": kid,
        "alg": alg,
        "file": file_name,
        "status": "active",
        "created_at": datetime.now(UTC).isoformat(),
    }


def _load_entry(directory: Path, entry: dict[str, Any]) -> SigningKey:
    path = directory / entry["file"]
    if path.stat().st_mode & 0o077:
        raise KeyRingError(f"{path} is readable by others; chmod 600 it")
    key = _import(path.read_bytes(), alg=entry["alg"], kid=entry["kid"])
    return SigningKey(kid=entry["kid"], alg=entry["alg"], status=entry["status"], key=key)
