"""The discovery document: everything advertised here works, and everything that works is here."""

from __future__ import annotations

from typing import Any

from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from authlib.oidc.discovery import OpenIDProviderMetadata

from idp.authn.assurance import ACR_VALUES
from idp.oidc.claims import CLAIM_SCOPE, DEMO_RP_SCOPES, IDENTITY_SCOPES, STANDARD_SCOPES
from idp.oidc.offline_access import OFFLINE_ACCESS
from idp.oidc.tokens import ALLOWED_ALGS
from idp.oidc.verified_claims import (
    CHECK_METHODS,
    DOCUMENT_TYPES,
    ELECTRONIC_RECORD_TYPES,
    EVIDENCE_TYPES,
    TRUST_FRAMEWORK,
    VERIFIABLE_CLAIMS,
)
from idp.settings import IdpSettings

AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"]
ASSERTION_ALGS = ["RS256", "PS256", "ES256"]
DPOP_ALGS = ["ES256", "RS256", "PS256", "EdDSA"]


def discovery_document(settings: IdpSettings) -> dict[str, Any]:
    issuer = settings.issuer
    doc: dict[str, Any] = {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/jwks.json",
        "end_session_endpoint": f"{issuer}/logout",
        "introspection_endpoint": f"{issuer}/introspect",
        "revocation_endpoint": f"{issuer}/revoke",
        "pushed_authorization_request_endpoint": f"{issuer}/par",
        "scopes_supported": [*STANDARD_SCOPES, OFFLINE_ACCESS, *IDENTITY_SCOPES, *DEMO_RP_SCOPES],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "form_post"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ALLOWED_ALGS,
        "token_endpoint_auth_methods_supported": AUTH_METHODS,
        "token_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGS,
        "introspection_endpoint_auth_methods_supported": AUTH_METHODS[:3],
        "introspection_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGS,
        "revocation_endpoint_auth_methods_supported": AUTH_METHODS[:3],
        "revocation_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGS,
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": [
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "acr",
            "amr",
            "azp",
            "sid",
            "at_hash",
            *CLAIM_SCOPE,
        ],
        "claims_parameter_supported": True,
        **_identity_assurance(),
        "acr_values_supported": list(ACR_VALUES),
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "ui_locales_supported": ["ru", "en"],
        "claim_types_supported": ["normal"],
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "require_pushed_authorization_requests": False,
        "authorization_response_iss_parameter_supported": True,
        "dpop_signing_alg_values_supported": DPOP_ALGS,
        "backchannel_logout_supported": True,
        "backchannel_logout_session_supported": True,
        "frontchannel_logout_supported": False,
    }
    if settings.registration_token:
        doc["registration_endpoint"] = f"{issuer}/connect/register"
    return doc


def _identity_assurance() -> dict[str, Any]:
    """OpenID Connect for Identity Assurance 1.0 §8: what ``verified_claims`` can contain."""
    return {
        "verified_claims_supported": True,
        "trust_frameworks_supported": [TRUST_FRAMEWORK],
        "evidence_supported": EVIDENCE_TYPES,
        "documents_supported": DOCUMENT_TYPES,
        "documents_check_methods_supported": CHECK_METHODS,
        "electronic_records_supported": ELECTRONIC_RECORD_TYPES,
        "claims_in_verified_claims_supported": list(VERIFIABLE_CLAIMS),
        "attachments_supported": [],
    }


def validate_metadata(doc: dict[str, Any], *, production: bool) -> None:
    """Check the document against OpenID Connect Discovery 1.0 §3 and RFC 8414 §2 once, at
    start-up (``ValueError`` names the member). A development issuer may be plain http on any
    host (settings require https in production); every other rule applies."""
    checked = doc if production else {k: _as_https(v) for k, v in doc.items()}
    OpenIDProviderMetadata(checked).validate(metadata_classes=[AuthorizationServerMetadata])


def _as_https(value: Any) -> Any:
    is_http = isinstance(value, str) and value.startswith("http://")
    return "https://" + value.removeprefix("http://") if is_http else value
