"""RFC 7662 introspection and RFC 7009 revocation: Authlib's endpoints behind client authentication.

:class:`TokenStatus` finds the tokens this IdP issued (access JWTs it still honours, refresh
tokens by digest); :class:`TokenIntrospection` and :class:`TokenRevocation` are the Authlib
endpoints registered on the authorization server, so client authentication (secrets and
``private_key_jwt``) and errors go through ``AuthorizationServer`` like the token endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from authlib.oauth2.rfc6749 import OAuth2Request
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint

from idp.audit import log as audit
from idp.oidc.errors import InvalidRequest
from idp.oidc.grant_state import grant_revoked
from idp.oidc.models import OAuthClient, RefreshToken
from idp.oidc.refresh import RefreshTokenService
from idp.oidc.revocation import (
    AccessTokenDenyList,
    find_refresh_token,
    token_belongs_to,
)
from idp.oidc.tokens import InvalidAccessToken, TokenSigner
from idp.storage.db import utcnow

INTROSPECTED_CLAIMS = (
    "scope",
    "client_id",
    "sub",
    "exp",
    "iat",
    "iss",
    "aud",
    "jti",
    "auth_time",
    "acr",
    "amr",
    "sid",
    "cnf",
    "roles",
    "region",
    "organization",
    "specialty",
    "regional_doctor_certificate",
)
ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"]


@dataclass(frozen=True)
class FoundAccessToken:
    """A valid, unexpired, unrevoked access token of this IdP (its verified claims)."""

    claims: dict[str, Any]

    def is_expired(self) -> bool:
        return False  # verified just now

    def is_revoked(self) -> bool:
        return False  # the deny list and the grant were checked when it was found

    def check_client(self, client: OAuthClient) -> bool:
        return token_belongs_to(self.claims, client.client_id)

    def introspection(self) -> dict[str, Any]:
        body = {k: self.claims[k] for k in INTROSPECTED_CLAIMS if k in self.claims}
        return {"active": True, "token_type": "DPoP" if "cnf" in self.claims else "Bearer", **body}


@dataclass(frozen=True)
class FoundRefreshToken:
    """A refresh token of this IdP, active or not (revocation reaches used and expired ones too)."""

    row: RefreshToken

    def is_expired(self) -> bool:
        return self.row.expires_at <= utcnow()

    def is_revoked(self) -> bool:
        return self.row.revoked_at is not None or self.row.used_at is not None  # used: rotated away

    def check_client(self, client: OAuthClient) -> bool:
        return self.row.client_id == client.client_id

    def introspection(self) -> dict[str, Any]:
        row = self.row
        return {
            "active": True,
            "token_type": "refresh_token",
            "scope": row.scope,
            "client_id": row.client_id,
            "sub": str(row.person_oid),
            "exp": int(row.expires_at.timestamp()),
            "acr": row.acr,
            "amr": row.amr,
        }


FoundToken = FoundAccessToken | FoundRefreshToken


class TokenStatus:
    def __init__(self, *, signer: TokenSigner, deny_list: AccessTokenDenyList, refresh: RefreshTokenService) -> None:
        self._signer, self._deny, self._refresh = signer, deny_list, refresh

    def active_access_claims(self, token: str) -> dict[str, Any] | None:
        """Claims of a valid, unexpired, unrevoked access token of this IdP, else ``None``."""
        try:
            claims = self._signer.verify_access_token(token)
        except InvalidAccessToken:
            return None
        if self._deny.covers(claims) or grant_revoked(claims):  # revocations reach access tokens
            return None
        return claims

    def find(self, token: str, hint: str | None) -> FoundToken | None:
        """The token, whoever it was issued to; with ``hint=refresh_token`` only a refresh token."""
        if hint != "refresh_token":
            claims = self.active_access_claims(token)
            if claims is not None:
                return FoundAccessToken(claims)
        row = find_refresh_token(token)
        return FoundRefreshToken(row) if row is not None else None

    def revoke(self, found: FoundToken, client: OAuthClient) -> None:
        """Revoke a token the caller owns: an access token until it expires, a refresh token's family."""
        if isinstance(found, FoundAccessToken):
            self._deny.revoke(found.claims)
            audit.record("token_revoked", client_id=client.client_id, kind="access_token", jti=found.claims.get("jti"))
            return
        self._refresh.revoke_family(found.row.family_id, reason="revoked_by_client")
        audit.record("token_revoked", client_id=client.client_id, person_oid=found.row.person_oid, kind="refresh_token")


def _require_token(request: OAuth2Request) -> None:
    """``token`` is required; any ``token_type_hint`` only orders the search (RFC 7662 §2.1)."""
    if not request.form.get("token"):
        raise InvalidRequest("token is required")


class TokenIntrospection(IntrospectionEndpoint):
    """``{"active": false}`` for anything unknown, expired, revoked or not the caller's."""

    CLIENT_AUTH_METHODS: ClassVar[list[str]] = ENDPOINT_AUTH_METHODS

    def __init__(self, status: TokenStatus) -> None:
        super().__init__()
        self._status = status

    def check_params(self, request: OAuth2Request, client: OAuthClient) -> None:
        _require_token(request)

    def query_token(self, token_string: str, token_type_hint: str | None) -> FoundToken | None:
        return self._status.find(token_string, token_type_hint)

    def check_permission(self, token: FoundToken, client: OAuthClient, request: OAuth2Request) -> bool:
        return token.check_client(client)

    def introspect_token(self, token: FoundToken) -> dict[str, Any]:
        return token.introspection()


class TokenRevocation(RevocationEndpoint):
    """Revokes what the caller owns; unknown tokens and other clients' tokens are not an error
    (RFC 7009 §2.2) and stay untouched."""

    CLIENT_AUTH_METHODS: ClassVar[list[str]] = ENDPOINT_AUTH_METHODS

    def __init__(self, status: TokenStatus) -> None:
        super().__init__()
        self._status = status

    def check_params(self, request: OAuth2Request, client: OAuthClient) -> None:
        _require_token(request)

    def authenticate_token(self, request: OAuth2Request, client: OAuthClient) -> FoundToken | None:
        self.check_params(request, client)
        found = self.query_token(request.form["token"], request.form.get("token_type_hint"))
        return found if found is not None and found.check_client(client) else None

    def query_token(self, token_string: str, token_type_hint: str | None) -> FoundToken | None:
        return self._status.find(token_string, token_type_hint)

    def revoke_token(self, token: FoundToken, request: OAuth2Request) -> None:
        self._status.revoke(token, request.client)

    def create_endpoint_response(self, request: OAuth2Request) -> tuple[int, str, list[tuple[str, str]]]:
        status, _body, _headers = super().create_endpoint_response(request)
        return status, "", []  # an empty 200: the client ignores the body (RFC 7009 §2.2)
