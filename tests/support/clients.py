"""The test IdP's issuer and the OAuth clients the tests register in their own app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask
from joserfc.jwk import ECKey

from idp.storage.unit_of_work import transaction

ISSUER = "http://localhost:8000"
DEMO_CREDS = ("egisz-demo", "demo-client-secret-for-tests")
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

    @property
    def signing_key(self) -> ECKey:
        """The private key of a ``private_key_jwt`` client."""
        assert self.key is not None, f"{self.client_id} has no signing key"
        return self.key


def register(app: Flask, **kwargs: Any) -> str | None:
    """Register a client in ``app`` (name = client_id, scope ``profile`` unless given); its secret."""
    from idp.oidc.clients import register_client

    kwargs.setdefault("name", kwargs["client_id"])
    kwargs.setdefault("scopes", ["profile"])
    with app.app_context(), transaction():
        return register_client(**kwargs).client_secret
