"""Token-signing keys: generated on first run, loaded once per process, rotated with overlap.

Layout under ``keys_dir/signing/``: one PEM file per key (mode 0600) and ``keyring.json``
listing each key's ``kid``, algorithm and times:

- ``activates_at``: the key signs from then on; a rotated-in key is published in JWKS first,
  so caches at resource servers learn it before the first token it signs arrives;
- ``retired_at``: it stops signing (the next key took over);
- ``drop_at``: it leaves JWKS, once every token it signed has expired.

Importing an RSA key costs tens of milliseconds, so a :class:`KeyRing` is built in the app
factory and kept. Requests only read it; it re-reads ``keyring.json`` only when the file
changed (checked at most every ``recheck_seconds``), which is how a running server picks up
``gosid keys rotate`` without a restart.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc.jwk import ECKey, KeySet, RSAKey

from idp.security.private_files import locked_directory, write_private

SUPPORTED_ALGS = ("RS256", "ES256", "PS256")


class KeyRingError(RuntimeError):
    pass


@dataclass(frozen=True)
class SigningKey:
    kid: str
    alg: str
    activates_at: float
    retired_at: float | None
    drop_at: float | None
    key: RSAKey | ECKey

    def signs_at(self, now: float) -> bool:
        return self.activates_at <= now and (self.retired_at is None or now < self.retired_at)

    def published_at(self, now: float) -> bool:
        return self.drop_at is None or now < self.drop_at

    def public_jwk(self) -> dict[str, Any]:
        data = dict(self.key.as_dict(private=False))
        data.update({"kid": self.kid, "alg": self.alg, "use": "sig"})
        return data


def _generate(alg: str) -> RSAKey | ECKey:
    if alg in ("RS256", "PS256"):
        return RSAKey.generate_key(2048, private=True)
    if alg == "ES256":
        return ECKey.generate_key("P-256", private=True)
    raise KeyRingError(f"unsupported signing algorithm {alg!r}")


def _import(pem: bytes, *, alg: str, kid: str) -> RSAKey | ECKey:
    params: dict[str, Any] = {"kid": kid, "alg": alg, "use": "sig"}
    if alg in ("RS256", "PS256"):
        return RSAKey.import_key(pem, params)  # type: ignore[arg-type]
    return ECKey.import_key(pem, params)  # type: ignore[arg-type]


class KeyRing:
    """The signing keys of this IdP: which one signs now, which are published."""

    def __init__(self, directory: Path, *, recheck_seconds: float = 10.0) -> None:
        self._dir = directory
        self._recheck = recheck_seconds
        self._lock = threading.Lock()
        self._loaded_mtime = -1.0
        self._checked_at = 0.0
        self._keys: list[SigningKey] = []
        self._reload()

    @classmethod
    def load_or_create(cls, keys_dir: Path) -> KeyRing:
        directory = keys_dir / "signing"
        with locked_directory(directory):
            manifest = _read_manifest(directory)
            now = time.time()
            for alg in SUPPORTED_ALGS:
                if not any(e["alg"] == alg and e.get("retired_at") is None for e in manifest):
                    manifest.append(_create_key(directory, alg, activates_at=now))
            _write_manifest(directory, manifest)
        return cls(directory)

    @classmethod
    def rotate(
        cls, keys_dir: Path, alg: str, *, publish_ahead: int = 300, overlap: int = 3600
    ) -> tuple[str, str | None]:
        """Add a key that is published now and signs after ``publish_ahead`` seconds; the
        current key stops signing then and stays published ``overlap`` seconds longer."""
        if alg not in SUPPORTED_ALGS:
            raise KeyRingError(f"unsupported signing algorithm {alg!r}")
        directory = keys_dir / "signing"
        with locked_directory(directory):
            manifest = _read_manifest(directory)
            activates = time.time() + publish_ahead
            old = None
            for entry in manifest:
                if entry["alg"] == alg and entry.get("retired_at") is None:
                    entry["retired_at"], entry["drop_at"] = activates, activates + overlap
                    old = entry["kid"]
            new = _create_key(directory, alg, activates_at=activates)
            manifest.append(new)
            _write_manifest(directory, manifest)
            return new["kid"], old

    def _reload(self) -> None:
        path = self._dir / "keyring.json"
        mtime = path.stat().st_mtime
        if mtime == self._loaded_mtime:
            return
        known = {k.kid: k.key for k in self._keys}
        entries = _read_manifest(self._dir)
        self._keys = [_load_entry(self._dir, e, known.get(e["kid"])) for e in entries]
        self._loaded_mtime = mtime

    def _current(self) -> list[SigningKey]:
        now = time.monotonic()
        if now - self._checked_at >= self._recheck:
            with self._lock:
                self._checked_at = now
                self._reload()
        return self._keys

    def active(self, alg: str) -> SigningKey:
        now = time.time()
        candidates = [k for k in self._current() if k.alg == alg and k.signs_at(now)]
        if not candidates:
            # A just-rotated key may not be due yet while the old one already retired
            # (clock skew between processes): fall back to the newest published key.
            candidates = [k for k in self._current() if k.alg == alg and k.published_at(now) and k.activates_at <= now]
        if not candidates:
            raise KeyRingError(f"no active key for {alg}")
        return max(candidates, key=lambda k: k.activates_at)

    def find(self, kid: str) -> SigningKey | None:
        return next((k for k in self._current() if k.kid == kid), None)

    def published(self) -> list[SigningKey]:
        now = time.time()
        return [k for k in self._current() if k.published_at(now)]

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.public_jwk() for k in self.published()]}

    def verification_keyset(self) -> KeySet:
        return KeySet([k.key for k in self.published()])


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


def _create_key(directory: Path, alg: str, *, activates_at: float) -> dict[str, Any]:
    key = _generate(alg)
    kid = key.thumbprint()
    file_name = f"{alg.lower()}-{kid[:16]}.pem"
    write_private(directory / file_name, key.as_pem(private=True))
    return {
        "kid": kid,
        "alg": alg,
        "file": file_name,
        "created_at": time.time(),
        "activates_at": activates_at,
        "retired_at": None,
        "drop_at": None,
    }


def _load_entry(directory: Path, entry: dict[str, Any], cached: RSAKey | ECKey | None) -> SigningKey:
    key = cached
    if key is None:
        path = directory / entry["file"]
        if path.stat().st_mode & 0o077:
            raise KeyRingError(f"{path} is readable by others; chmod 600 it")
        key = _import(path.read_bytes(), alg=entry["alg"], kid=entry["kid"])
    return SigningKey(
        kid=entry["kid"],
        alg=entry["alg"],
        activates_at=float(entry.get("activates_at", 0)),
        retired_at=entry.get("retired_at"),
        drop_at=entry.get("drop_at"),
        key=key,
    )
