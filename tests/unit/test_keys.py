"""Signing keys: generated once with private files, published without private parts."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest

import idp.oidc.keys as keys_module
from idp.oidc.keys import KeyRing, KeyRingError


def test_first_run_generates_rs256_and_es256_private_files(tmp_path: Path) -> None:
    ring = KeyRing.load_or_create(tmp_path)
    assert {k["alg"] for k in ring.jwks()["keys"]} == {"RS256", "ES256", "PS256"}
    for pem in (tmp_path / "signing").glob("*.pem"):
        assert stat.S_IMODE(pem.stat().st_mode) == 0o600


def test_second_run_reuses_the_keys(tmp_path: Path) -> None:
    first = KeyRing.load_or_create(tmp_path).jwks()
    assert KeyRing.load_or_create(tmp_path).jwks() == first


def test_rotation_publishes_first_then_signs_then_drops_the_old_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ring = KeyRing.load_or_create(tmp_path)
    old = ring.active("RS256").kid
    new, retired = KeyRing.rotate(tmp_path, "RS256", publish_ahead=100, overlap=600)
    assert retired == old
    fresh = KeyRing(tmp_path / "signing")
    published = {k["kid"] for k in fresh.jwks()["keys"]}
    assert {old, new} <= published and fresh.active("RS256").kid == old  # published, not yet signing

    now = time.time()
    monkeypatch.setattr(keys_module.time, "time", lambda: now + 150)
    assert fresh.active("RS256").kid == new  # the new key signs; the old one still verifies
    assert old in {k["kid"] for k in fresh.jwks()["keys"]}

    monkeypatch.setattr(keys_module.time, "time", lambda: now + 800)
    assert old not in {k["kid"] for k in fresh.jwks()["keys"]}  # every token it signed has expired


def test_a_running_keyring_picks_up_a_rotation(tmp_path: Path) -> None:
    ring = KeyRing.load_or_create(tmp_path)
    running = KeyRing(tmp_path / "signing", recheck_seconds=0)
    new, _ = KeyRing.rotate(tmp_path, "ES256", publish_ahead=0, overlap=60)
    assert running.active("ES256").kid == new
    assert ring.active("RS256").kid == running.active("RS256").kid


def test_world_readable_key_file_is_refused(tmp_path: Path) -> None:
    KeyRing.load_or_create(tmp_path)
    pem = next((tmp_path / "signing").glob("*.pem"))
    pem.chmod(0o644)
    with pytest.raises(KeyRingError, match="chmod 600"):
        KeyRing.load_or_create(tmp_path)
