"""Extra clients and apps for the attack tests (security checklist).

The root fixtures give ``app`` (one per backend), ``client``, ``personas`` and the confidential
demo client ``egisz-demo``. Here: a public client, a private_key_jwt client, a PAR-required
client, a DPoP-bound client and a client_credentials-only client, each registered in the
test's own app, and apps with settings of their own (private signing keys, production). The
attacker's-eye helpers are in :mod:`tests.support.attacker` and its neighbours.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from joserfc.jwk import ECKey

from idp.settings import IdpSettings
from tests.support.apps import seeded_app
from tests.support.clients import OTHER_REDIRECT, PUBLIC_REDIRECT, SCOPES, Registered, register
from tests.support.jose_builders import ec_key, public_jwks


@pytest.fixture(scope="session")
def client_key() -> ECKey:
    """The private_key_jwt client's signing key (its public half is registered)."""
    return ec_key("client-key-1")


@pytest.fixture
def public_client(app: Flask) -> Registered:
    register(app, client_id="public-app", redirect_uris=[PUBLIC_REDIRECT], auth_method="none", scopes=SCOPES)
    return Registered("public-app", PUBLIC_REDIRECT)


@pytest.fixture
def other_client(app: Flask) -> Registered:
    """A second confidential client, the attacker's own, with its own redirect URI."""
    secret = register(
        app,
        client_id="other-app",
        redirect_uris=[OTHER_REDIRECT],
        client_secret="other-app-secret-0123456789",
        scopes=SCOPES,
    )
    return Registered("other-app", OTHER_REDIRECT, secret=secret)


@pytest.fixture
def pkjwt_client(app: Flask, client_key: ECKey) -> Registered:
    register(
        app,
        scopes=SCOPES,
        client_id="jwt-app",
        redirect_uris=["https://jwt.example.ru/cb"],
        auth_method="private_key_jwt",
        grant_types=("authorization_code", "refresh_token", "client_credentials"),
        jwks=public_jwks(client_key),
    )
    return Registered("jwt-app", "https://jwt.example.ru/cb", key=client_key)


@pytest.fixture
def par_client(app: Flask) -> Registered:
    secret = register(
        app,
        scopes=SCOPES,
        client_id="par-app",
        redirect_uris=["https://par.example.ru/cb"],
        require_par=True,
        client_secret="par-app-secret-0123456789",
    )
    return Registered("par-app", "https://par.example.ru/cb", secret=secret)


@pytest.fixture
def dpop_client(app: Flask) -> Registered:
    secret = register(
        app,
        scopes=SCOPES,
        client_id="dpop-app",
        redirect_uris=["https://dpop.example.ru/cb"],
        dpop_bound=True,
        client_secret="dpop-app-secret-0123456789",
    )
    return Registered("dpop-app", "https://dpop.example.ru/cb", secret=secret)


@pytest.fixture
def machine_client(app: Flask) -> Registered:
    """A client_credentials-only client, which also registered a redirect URI."""
    secret = register(
        app,
        client_id="robot",
        redirect_uris=["https://robot.example.ru/cb"],
        scopes=["medcard.rs"],
        grant_types=("client_credentials",),
        client_secret="robot-secret-0123456789",
    )
    return Registered("robot", "https://robot.example.ru/cb", secret=secret)


@pytest.fixture
def app_with_own_keys(settings: IdpSettings, persona_rows: list[dict[str, Any]], tmp_path: Path) -> Iterator[Flask]:
    """The app on a private copy of the signing keys, so a test may rotate them."""
    keys = tmp_path / "own-keys"
    shutil.copytree(settings.keys_dir, keys)
    yield from seeded_app(replace(settings, keys_dir=keys), persona_rows)


@pytest.fixture
def production_app(
    backend: dict[str, str], keys_dir: Path, tmp_path: Path, persona_rows: list[dict[str, Any]]
) -> Iterator[Flask]:
    """The IdP as production runs it: https issuer, long random secret, dev mode off; Redis on
    the PostgreSQL + Redis backend (one worker on the embedded store, as production allows)."""
    from idp.settings import load_idp_settings

    settings = load_idp_settings(
        overrides={
            "mode": "production",
            "issuer": "https://id.gosid.example",
            "secret_key": uuid.uuid4().hex + uuid.uuid4().hex,
            "dev_mode": False,
            "database_url": backend["database_url"],
            "store_url": backend["store_url"],
            "workers": 1,
            "keys_dir": str(keys_dir),
            "var_dir": str(tmp_path / "var"),
        },
        environ={},
    )
    assert settings.production and not settings.dev_mode
    yield from seeded_app(settings, persona_rows)
