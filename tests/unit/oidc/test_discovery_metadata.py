"""The discovery document is checked against OpenID Connect Discovery 1.0 and RFC 8414 at
start-up (Authlib's metadata classes): a document that breaks them stops the IdP from starting."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from idp.oidc.discovery import discovery_document, validate_metadata
from idp.settings import IdpSettings


def _document(*, issuer: str, registration_token: str = "") -> dict[str, Any]:
    return discovery_document(dataclasses.replace(IdpSettings(), issuer=issuer, registration_token=registration_token))


def test_the_documents_the_idp_serves_are_valid() -> None:
    validate_metadata(_document(issuer="https://id.example.ru", registration_token="t"), production=True)
    validate_metadata(_document(issuer="http://localhost:8000"), production=False)


def test_a_development_issuer_may_be_plain_http_on_any_host() -> None:
    validate_metadata(_document(issuer="http://idp:8000"), production=False)
    with pytest.raises(ValueError, match="https"):
        validate_metadata(_document(issuer="http://idp:8000"), production=True)


@pytest.mark.parametrize(
    ("member", "value", "named"),
    [
        ("response_types_supported", None, "response_types_supported"),
        ("subject_types_supported", None, "subject_types_supported"),
        ("jwks_uri", None, "jwks_uri"),
        ("claims_parameter_supported", "yes", "claims_parameter_supported"),
        ("issuer", "https://id.example.ru/?tenant=1", "issuer"),
    ],
)
def test_a_broken_member_is_named(member: str, value: object, named: str) -> None:
    doc = _document(issuer="https://id.example.ru")
    doc[member] = value
    with pytest.raises(ValueError, match=named):
        validate_metadata(doc, production=True)
