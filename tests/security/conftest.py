"""Extra clients for the attack tests (security-checklist section 1).

The root fixtures give ``app`` (one per backend), ``client``, ``personas`` and the confidential
demo client ``egisz-demo``. Here: a public client, a private_key_jwt client, a PAR-required
client, a DPoP-bound client and a client_credentials-only client, each registered in the
test's own app, plus the attacker's-eye helpers in :mod:`tests.security.helpers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from joserfc.jwk import ECKey

from tests.support.jose_builders import ec_key, public_jwks

ISSUER = "http://localhost:8000"
PUBLIC_REDIRECT = "http://127.0.0.1:5000/callback"
OTHER_REDIRECT = "https://other.example.ru/callback"
SCOPES = ["profile", "snils", "medcard.rs", "medcard.cu"]


@dataclass(frozen=True)
class Registered:
    client_id: str
    redirect_uri: str
    secret: str | None = None
    key: ECKey | None = None

    @property
    def creds(self) -> tuple[str, str]:
        assert self.secret is not None, f"{self.client_id} has no secret"
        return (self.client_id, self.secret)


def _register(app: Any, **kwargs: Any) -> str | None:
    from idp.oidc.clients import register_client

    kwargs.setdefault("name", kwargs["client_id"])
    kwargs.setdefault("scopes", SCOPES)
    with app.app_context():
        return register_client(**kwargs).client_secret


@pytest.fixture(scope="session")
def client_key() -> ECKey:
    """The private_key_jwt client's signing key (its public half is registered)."""
    return ec_key("client-key-1")


@pytest.fixture
def public_client(app: Any) -> Registered:
    _register(app, client_id="public-app", redirect_uris=[PUBLIC_REDIRECT], auth_method="none")
    return Registered("public-app", PUBLIC_REDIRECT)


@pytest.fixture
def other_client(app: Any) -> Registered:
    """A second confidential client, the attacker's own, with its own redirect URI."""
    secret = _register(
        app, client_id="other-app", redirect_uris=[OTHER_REDIRECT], client_secret="other-app-secret-0123456789"
    )
    return Registered("other-app", OTHER_REDIRECT, secret=secret)


@pytest.fixture
def pkjwt_client(app: Any, client_key: ECKey) -> Registered:
    _register(
        app,
        client_id="jwt-app",
        redirect_uris=["https://jwt.example.ru/cb"],
        auth_method="private_key_jwt",
        grant_types=("authorization_code", "refresh_token", "client_credentials"),
        jwks=public_jwks(client_key),
    )
    return Registered("jwt-app", "https://jwt.example.ru/cb", key=client_key)


@pytest.fixture
def par_client(app: Any) -> Registered:
    secret = _register(
        app,
        client_id="par-app",
        redirect_uris=["https://par.example.ru/cb"],
        require_par=True,
        client_secret="par-app-secret-0123456789",
    )
    return Registered("par-app", "https://par.example.ru/cb", secret=secret)


@pytest.fixture
def dpop_client(app: Any) -> Registered:
    secret = _register(
        app,
        client_id="dpop-app",
        redirect_uris=["https://dpop.example.ru/cb"],
        dpop_bound=True,
        client_secret="dpop-app-secret-0123456789",
    )
    return Registered("dpop-app", "https://dpop.example.ru/cb", secret=secret)


@pytest.fixture
def machine_client(app: Any) -> Registered:
    """A client_credentials-only client, which also registered a redirect URI."""
    secret = _register(
        app,
        client_id="robot",
        redirect_uris=["https://robot.example.ru/cb"],
        scopes=["medcard.rs"],
        grant_types=("client_credentials",),
        client_secret="robot-secret-0123456789",
    )
    return Registered("robot", "https://robot.example.ru/cb", secret=secret)
