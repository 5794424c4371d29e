"""Fixtures for the demo RP's integration tests: settings → app → client, and a loopback IdP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from relying_party_demo import create_app
from relying_party_demo.settings import RpSettings, load_rp_settings
from relying_party_demo.testing import FakeIdp, SigningKey, generate_signing_key


@pytest.fixture(scope="session")
def rsa_key() -> SigningKey:
    return generate_signing_key("RS256", "rsa-1")


@pytest.fixture
def idp(rsa_key: SigningKey) -> Iterator[FakeIdp]:
    with FakeIdp(signing_key=rsa_key) as fake:
        yield fake


@pytest.fixture
def settings_overrides(idp: FakeIdp, tmp_path: Path) -> dict[str, Any]:
    return {
        "idp_url": idp.issuer,
        "client_secret": idp.client_secret,
        "client_file": str(tmp_path / "rp-client.json"),
        "database_url": f"sqlite:///{tmp_path / 'rp.sqlite3'}",
    }


@pytest.fixture
def settings(settings_overrides: dict[str, Any]) -> RpSettings:
    return load_rp_settings(overrides=settings_overrides, environ={})


@pytest.fixture
def app(settings: RpSettings) -> Flask:
    return create_app(settings)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
