"""ESIA systems registered on the integration app: an RSA one (v1, RS256 tokens) and a GOST
one (v2/v3, GOST tokens), each with a certificate made by the test signers."""

from __future__ import annotations

from typing import Any

import pytest

from idp.storage.unit_of_work import transaction
from tests.integration.esia.esia_flow import REDIRECT, EsiaSystem
from tests.support.backends import require
from tests.unit.esia.signers import GostSigner, RsaSigner, gost_engine_available

ALL_SCOPES = [
    "fullname", "birthdate", "gender", "snils", "inn", "id_doc", "birthplace", "medical_doc",
    "email", "mobile", "contacts", "addresses", "usr_org",
]  # fmt: skip


@pytest.fixture(scope="session")
def rsa_signer() -> RsaSigner:
    return RsaSigner.create("EGISZ RSA test system")


@pytest.fixture(scope="session")
def gost_signer() -> GostSigner:
    require(gost_engine_available(), "OpenSSL's GOST engine (Debian libengine-gost-openssl)")
    return GostSigner.create("EGISZ GOST test system")


def _register(app: Any, client_id: str, cert: bytes, **options: Any) -> str:
    from idp.esia.clients import certificates_of, register_esia_client

    with app.app_context(), transaction():
        client = register_esia_client(
            client_id=client_id, name=f"Система {client_id}", redirect_uris=[REDIRECT], scopes=ALL_SCOPES,
            certificates=[cert], **options,
        )  # fmt: skip
        return certificates_of(client)[0].gost_hex


@pytest.fixture
def rsa_system(app: Any, rsa_signer: RsaSigner) -> EsiaSystem:
    cert_hash = _register(app, "EGISZ_RSA", rsa_signer.cert_pem)
    return EsiaSystem("EGISZ_RSA", rsa_signer, cert_hash)


@pytest.fixture
def gost_system(app: Any, gost_signer: GostSigner) -> EsiaSystem:
    cert_hash = _register(app, "EGISZ_GOST", gost_signer.cert_pem, token_alg="GOST3410_2012_256")
    return EsiaSystem("EGISZ_GOST", gost_signer, cert_hash)


@pytest.fixture
def strict_app(app: Any) -> Any:
    """The same app with strict mode on (settings are frozen: replace the object)."""
    import dataclasses

    from idp.services import Services

    svc: Services = app.extensions["gosid"]
    app.extensions["gosid"] = dataclasses.replace(svc, settings=dataclasses.replace(svc.settings, esia_strict=True))
    return app
