"""Signing keys: generated once with private files, published without private parts."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from idp.oidc.keys import KeyRing, KeyRingError


def test_first_run_generates_rs256_and_es256_private_files(tmp_path: Path) -> None:
    ring = KeyRing.load_or_create(tmp_path)
    assert {k["alg"] for k in ring.jwks()["keys"]} == {"RS256", "ES256"}
    for pem in (tmp_path / "signing").glob("*.pem"):
        assert stat.S_IMODE(pem.stat().st_mode) == 0o600


def test_second_run_reuses_the_keys(tmp_path: Path) -> None:
    first = KeyRing.load_or_create(tmp_path).jwks()
    assert KeyRing.load_or_create(tmp_path).jwks() == first


def test_rotation_keeps_the_retired_key_published(tmp_path: Path) -> None:
    old = KeyRing.load_or_create(tmp_path).active("RS256").kid
    new, retired = KeyRing.rotate(tmp_path, "RS256")
    ring = KeyRing.load_or_create(tmp_path)
    assert retired == old and ring.active("RS256").kid == new != old
    assert {old, new} <= {k["kid"] for k in ring.jwks()["keys"]}


def test_world_readable_key_file_is_refused(tmp_path: Path) -> None:
    KeyRing.load_or_create(tmp_path)
    pem = next((tmp_path / "signing").glob("*.pem"))
    pem.chmod(0o644)
    with pytest.raises(KeyRingError, match="chmod 600"):
        KeyRing.load_or_create(tmp_path)
