"""The stand's own ESIA signing certificates (RSA and GOST), like ESIA's published ones.

Layout under ``keys_dir/esia/``: a certificate (DER) and a private key (PKCS#8 DER, mode
0600) per key, and ``certs.json`` listing each with its status: ``active`` (signs) or
``previous`` (still verifies until ``valid_until``). ``gosid esia rotate-cert`` changes the
manifest; running workers notice its new mtime and reload.
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization

from idp.crypto.certs import ClientCertificate, load_certificate
from idp.crypto.gost import GostPrivateKey
from idp.crypto.jws import SigningKey
from idp.esia import stand_certs
from idp.security.private_files import locked_directory, write_private

ALGS = ("RS256", "GOST3410_2012_256")


class StandKeyError(RuntimeError):
    pass


def _create(directory: Path, alg: str) -> dict[str, Any]:
    key_id = f"{'gost' if alg.startswith('GOST') else 'rsa'}-{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(3)}"
    cert_der, key_der = stand_certs.generate(alg, common_name=f"gosid ESIA stand ({key_id})")
    (directory / f"{key_id}.cer").write_bytes(cert_der)
    write_private(directory / f"{key_id}.key", key_der)
    return {"id": key_id, "alg": alg, "status": "active", "created_at": datetime.now(UTC).isoformat()}


@dataclass(frozen=True)
class StandKey:
    id: str
    alg: str
    status: str
    certificate: ClientCertificate
    signing: SigningKey
    valid_until: datetime | None = None

    @property
    def cert_der(self) -> bytes:
        return self.certificate.der


def _load(directory: Path, entry: dict[str, Any]) -> StandKey:
    key_path = directory / f"{entry['id']}.key"
    if key_path.stat().st_mode & 0o077:
        raise StandKeyError(f"{key_path} is readable by others; chmod 600 it")
    cert = load_certificate((directory / f"{entry['id']}.cer").read_bytes())
    raw = key_path.read_bytes()
    private: Any
    if entry["alg"] == "RS256":
        private = serialization.load_der_private_key(raw, password=None)
    else:
        private = GostPrivateKey.from_pkcs8(raw)
    until = datetime.fromisoformat(entry["valid_until"]) if entry.get("valid_until") else None
    return StandKey(entry["id"], entry["alg"], entry["status"], cert, SigningKey(entry["alg"], private, cert), until)


def _live(entry: dict[str, Any], now: datetime) -> bool:
    until = entry.get("valid_until")
    return entry["status"] == "active" or (until is not None and datetime.fromisoformat(until) > now)


class StandKeys:
    """Reads ``certs.json`` once and again whenever it changes."""

    def __init__(self, keys_dir: Path) -> None:
        self.directory = keys_dir / "esia"
        self._lock = threading.Lock()
        self._mtime = -1.0
        self._keys: list[StandKey] = []

    @classmethod
    def load_or_create(cls, keys_dir: Path) -> StandKeys:
        keys = cls(keys_dir)
        with locked_directory(keys.directory):
            manifest = _read(keys.directory)
            for alg in ALGS:
                if not any(e["alg"] == alg and e["status"] == "active" for e in manifest):
                    manifest.append(_create(keys.directory, alg))
            _write(keys.directory, manifest)
        keys.refresh()
        return keys

    def refresh(self) -> None:
        path = self.directory / "certs.json"
        mtime = path.stat().st_mtime
        if mtime == self._mtime:
            return
        with self._lock:
            now = datetime.now(UTC)
            manifest = [e for e in _read(self.directory) if _live(e, now)]
            self._keys = [_load(self.directory, e) for e in manifest]
            self._mtime = mtime

    def all(self) -> list[StandKey]:
        self.refresh()
        now = datetime.now(UTC)
        return [k for k in self._keys if k.status == "active" or (k.valid_until is not None and k.valid_until > now)]

    def active(self, alg: str) -> StandKey:
        for key in self.all():
            if key.alg == alg and key.status == "active":
                return key
        raise StandKeyError(f"no active ESIA signing certificate for {alg}")

    def verifying(self, alg: str) -> list[StandKey]:
        return [k for k in self.all() if k.alg == alg]

    def find(self, key_id: str) -> StandKey | None:
        return next((k for k in self.all() if k.id == key_id), None)


def rotate(keys_dir: Path, alg: str, *, overlap: timedelta | None) -> tuple[str, str | None]:
    """A new active certificate for ``alg``. The old one keeps verifying for ``overlap``;
    ``None`` cuts at once: only the new certificate verifies, older tokens stop working."""
    if alg not in ALGS:
        raise StandKeyError(f"unknown algorithm {alg!r}; one of {', '.join(ALGS)}")
    directory = keys_dir / "esia"
    with locked_directory(directory):
        manifest = _read(directory)
        old = None
        now = datetime.now(UTC)
        for entry in manifest:
            if entry["alg"] != alg:
                continue
            if entry["status"] == "active":
                old = entry["id"]
                entry["status"] = "previous"
                entry["valid_until"] = (now + overlap if overlap else now).isoformat()
            elif overlap is None:  # a cut leaves only the new certificate valid
                entry["valid_until"] = now.isoformat()
        new = _create(directory, alg)
        manifest.append(new)
        _write(directory, manifest)
        return new["id"], old


def _read(directory: Path) -> list[dict[str, Any]]:
    path = directory / "certs.json"
    if not path.exists():
        return []
    data: list[dict[str, Any]] = json.loads(path.read_text())
    return data


def _write(directory: Path, manifest: list[dict[str, Any]]) -> None:
    tmp = directory / "certs.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2))
    tmp.chmod(0o600)
    tmp.replace(directory / "certs.json")
