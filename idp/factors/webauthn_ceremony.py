"""WebAuthn ceremonies around py_webauthn: typed inputs, dataclass results, one error type.

Pure functions (no database, no Flask), so unit tests drive them with a software
authenticator. The caller stores challenges (single use) and credentials.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)


class CeremonyFailed(Exception):
    """The authenticator's answer does not verify; ``reason`` is for the audit log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class RelyingParty:
    id: str
    name: str
    origins: tuple[str, ...]


@dataclass(frozen=True)
class Options:
    json: str  # what the browser passes to navigator.credentials.create/get
    challenge: str  # base64url, for the caller to store (single use)


@dataclass(frozen=True)
class NewCredential:
    credential_id: str  # base64url
    public_key: str  # base64url COSE key
    sign_count: int
    user_verified: bool
    transports: list[str]


@dataclass(frozen=True)
class Assertion:
    credential_id: str
    new_sign_count: int
    user_verified: bool


def registration_options(
    rp: RelyingParty, *, user_id: bytes, user_name: str, display_name: str, exclude: list[str]
) -> Options:
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_id=user_id,
        user_name=user_name,
        user_display_name=display_name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,  # discoverable: usable without a login name
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(c)) for c in exclude],
    )
    return Options(json=options_to_json(options), challenge=bytes_to_base64url(options.challenge))


def authentication_options(rp: RelyingParty, *, allow: list[str], require_uv: bool) -> Options:
    options = generate_authentication_options(
        rp_id=rp.id,
        allow_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(c)) for c in allow],
        user_verification=UserVerificationRequirement.REQUIRED if require_uv else UserVerificationRequirement.PREFERRED,
    )
    return Options(json=options_to_json(options), challenge=bytes_to_base64url(options.challenge))


def check_registration(rp: RelyingParty, *, response: str, challenge: str) -> NewCredential:
    """Verify a registration; user verification is required (passkeys may log in alone)."""
    try:
        verified = verify_registration_response(
            credential=response,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise CeremonyFailed(str(exc)[:200]) from exc
    return NewCredential(
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=bytes_to_base64url(verified.credential_public_key),
        sign_count=verified.sign_count,
        user_verified=verified.user_verified,
        transports=_transports(response),
    )


def credential_id_of(response: str) -> str:
    """The credential id an assertion claims (checked by :func:`check_assertion`)."""
    try:
        data = json.loads(response)
        raw = data["rawId"] if isinstance(data, dict) else None
        return bytes_to_base64url(base64url_to_bytes(str(raw)))
    except (ValueError, KeyError, TypeError) as exc:
        raise CeremonyFailed("malformed credential") from exc


def check_assertion(
    rp: RelyingParty,
    *,
    response: str,
    challenge: str,
    public_key: str,
    sign_count: int,
    require_uv: bool,
) -> Assertion:
    """Verify an assertion: challenge, origin, RP id hash, user presence (and verification when
    required), the signature, and that the signature counter went up (cloned authenticators)."""
    try:
        verified = verify_authentication_response(
            credential=response,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
            credential_public_key=base64url_to_bytes(public_key),
            credential_current_sign_count=sign_count,
            require_user_verification=require_uv,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise CeremonyFailed(str(exc)[:200]) from exc
    return Assertion(
        credential_id=bytes_to_base64url(verified.credential_id),
        new_sign_count=verified.new_sign_count,
        user_verified=verified.user_verified,
    )


def _transports(response: str) -> list[str]:
    try:
        data: dict[str, Any] = json.loads(response)
        found = data.get("response", {}).get("transports") or []
        return [str(t) for t in found][:5]
    except (ValueError, AttributeError):
        return []
