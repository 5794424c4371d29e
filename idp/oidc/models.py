"""OAuth clients, consents and refresh tokens (durable)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from authlib.oauth2.rfc6749 import ClientMixin
from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from idp.oidc.offline_access import OFFLINE_ACCESS
from idp.security import hashes
from idp.storage.db import UtcDateTime, db, utcnow


class OAuthClient(db.Model, ClientMixin):  # type: ignore[name-defined]
    __tablename__ = "oauth_client"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_secret_hash: Mapped[str | None] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(200))
    redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    post_logout_redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    grant_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    token_endpoint_auth_method: Mapped[str] = mapped_column(String(40))
    id_token_signed_response_alg: Mapped[str] = mapped_column(String(10), default="RS256")
    access_token_signed_response_alg: Mapped[str] = mapped_column(String(10), default="RS256")
    jwks: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    require_pushed_authorization_requests: Mapped[bool] = mapped_column(Boolean, default=False)
    dpop_bound_access_tokens: Mapped[bool] = mapped_column(Boolean, default=False)
    # Refresh tokens without the offline_access scope (see idp/oidc/offline_access.py).
    always_issue_refresh_token: Mapped[bool] = mapped_column(Boolean, default=False)
    backchannel_logout_uri: Mapped[str | None] = mapped_column(String(500))
    registered_by: Mapped[str] = mapped_column(String(20), default="cli")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    # --- Authlib ClientMixin -------------------------------------------------
    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        # Never guess: a request without redirect_uri is refused by the grant.
        return None

    def get_allowed_scope(self, scope: str) -> str | None:
        """The requested scope if every value is registered for this client, else ``None``
        (Authlib then answers ``invalid_scope``): unknown scopes are refused, not dropped.
        ``offline_access`` needs no registration: a client with the refresh_token grant may ask
        for it, and for any other client it is ignored (OIDC Core 1.0 §11)."""
        requested = [s for s in (scope or "").split() if s != OFFLINE_ACCESS or self.check_grant_type("refresh_token")]
        if any(s not in self.scopes and s != OFFLINE_ACCESS for s in requested):
            return None
        return " ".join(dict.fromkeys(requested))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # Byte-exact comparison against the registered list (no normalisation).
        return any(hashes.constant_time_equals(redirect_uri, r) for r in self.redirect_uris)

    def check_client_secret(self, client_secret: str) -> bool:
        if not self.client_secret_hash:
            return False
        return hashes.constant_time_equals(hashes.secret_digest(client_secret), self.client_secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == self.token_endpoint_auth_method

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and "authorization_code" in self.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


class Consent(db.Model):  # type: ignore[name-defined]
    """A person's remembered decision to release these scopes to this client."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_oid: Mapped[int] = mapped_column(BigInteger, ForeignKey("person.oid"), index=True)
    client_id: Mapped[str] = mapped_column(String(64), ForeignKey("oauth_client.client_id"))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RefreshToken(db.Model):  # type: ignore[name-defined]
    """A refresh token, stored only as a digest; rotated tokens share a family."""

    __tablename__ = "refresh_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    family_id: Mapped[str] = mapped_column(String(64), index=True)
    client_id: Mapped[str] = mapped_column(String(64), ForeignKey("oauth_client.client_id"))
    person_oid: Mapped[int] = mapped_column(BigInteger, ForeignKey("person.oid"), index=True)
    scope: Mapped[str] = mapped_column(Text)
    auth_time: Mapped[int] = mapped_column(BigInteger)
    amr: Mapped[list[str]] = mapped_column(JSON, default=list)
    acr: Mapped[str] = mapped_column(String(40))
    session_id: Mapped[str | None] = mapped_column(String(128))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    family_issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    dpop_jkt: Mapped[str | None] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
