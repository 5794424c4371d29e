"""RFC 7662 introspection and RFC 7009 revocation, both behind client authentication."""

from __future__ import annotations

from typing import Any

from idp.audit import log as audit
from idp.oidc.grant_state import grant_revoked
from idp.oidc.models import OAuthClient
from idp.oidc.refresh import RefreshTokenService
from idp.oidc.revocation import (
    AccessTokenDenyList,
    find_refresh_token,
    refresh_token_is_active,
    token_belongs_to,
)
from idp.oidc.tokens import InvalidAccessToken, TokenSigner

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


class TokenStatus:
    def __init__(self, *, signer: TokenSigner, deny_list: AccessTokenDenyList, refresh: RefreshTokenService) -> None:
        self._signer, self._deny, self._refresh = signer, deny_list, refresh

    def active_access_claims(self, token: str) -> dict[str, Any] | None:
        """Claims of a valid, unexpired, unrevoked access token of this IdP, else ``None``."""
        return self._access_claims(token)

    def _access_claims(self, token: str) -> dict[str, Any] | None:
        try:
            claims = self._signer.verify_access_token(token)
        except InvalidAccessToken:
            return None
        if self._deny.covers(claims) or grant_revoked(claims):  # revocations reach access tokens
            return None
        return claims

    def introspect(self, token: str, hint: str | None, client: OAuthClient) -> dict[str, Any]:
        """``{"active": false}`` for anything unknown, expired, revoked or not the caller's."""
        if hint != "refresh_token":
            claims = self._access_claims(token)
            if claims is not None and token_belongs_to(claims, client.client_id):
                body = {k: claims[k] for k in INTROSPECTED_CLAIMS if k in claims}
                return {"active": True, "token_type": "DPoP" if "cnf" in claims else "Bearer", **body}
        row = find_refresh_token(token)
        if row is None or row.client_id != client.client_id or not refresh_token_is_active(row):
            return {"active": False}
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

    def revoke(self, token: str, hint: str | None, client: OAuthClient) -> None:
        """Revoke what the caller owns; unknown tokens are not an error (RFC 7009 §2.2)."""
        if hint != "refresh_token":
            claims = self._access_claims(token)
            if claims is not None and token_belongs_to(claims, client.client_id):
                self._deny.revoke(claims)
                audit.record("token_revoked", client_id=client.client_id, kind="access_token", jti=claims.get("jti"))
                return
        row = find_refresh_token(token)
        if row is not None and row.client_id == client.client_id:
            self._refresh.revoke_family(row.family_id, reason="revoked_by_client")
            audit.record("token_revoked", client_id=client.client_id, person_oid=row.person_oid, kind="refresh_token")
