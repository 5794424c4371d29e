"""Authlib's AuthorizationServer, configured for this IdP: code flow with mandatory S256
PKCE, OpenID Connect, rotating refresh tokens, client credentials, private_key_jwt, DPoP, and
Authlib's introspection, revocation, UserInfo and dynamic registration endpoints."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any, ClassVar

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.integrations.flask_oauth2.requests import FlaskJsonRequest, FlaskOAuth2Request
from authlib.oauth2.rfc6749 import JsonPayload, grants, scope_to_list
from authlib.oauth2.rfc6749.errors import InvalidGrantError, InvalidRequestError, InvalidScopeError
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc9207 import IssuerParameter
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, g
from flask import request as flask_request

from idp.accounts.models import Person
from idp.adapters.store import ShortLivedStore
from idp.audit import log as audit
from idp.oidc import consent
from idp.oidc.authorization.syntax import check_syntax, is_client_id, registered_redirect_uri
from idp.oidc.claims import claims_for, requested_claims
from idp.oidc.client_auth import client_secret_basic, private_key_jwt_authenticator
from idp.oidc.codes import AuthorizationCode, CodeRepository
from idp.oidc.discovery import validate_metadata
from idp.oidc.dpop import DPoPVerifier
from idp.oidc.models import OAuthClient
from idp.oidc.offline_access import OFFLINE_ACCESS, granted_scope, issues_refresh_token
from idp.oidc.refresh import RedeemedToken, RefreshTokenService
from idp.oidc.registration import ClientRegistration
from idp.oidc.subject import GrantUser
from idp.oidc.token_endpoints import TokenIntrospection, TokenRevocation, TokenStatus
from idp.oidc.tokens import TokenSigner
from idp.oidc.userinfo import GosidUserInfo, access_token_protector
from idp.replay.used_values import UsedValues
from idp.storage.db import db

AUTH_METHODS: list[str] = ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"]


class S256Only(CodeChallenge):
    """PKCE is mandatory for every client and ``plain`` is refused (RFC 9700 §2.1.1)."""

    SUPPORTED_CODE_CHALLENGE_METHOD: ClassVar[list[str]] = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge': PKCE with S256 is required")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be S256")
        super().validate_code_challenge(grant, redirect_uri)


def _user_for(
    person_oid: int,
    *,
    auth_time: int,
    amr: list[str],
    acr: str,
    sid: str | None,
    userinfo_claims: tuple[str, ...] = (),
    grant_id: str | None = None,
) -> GrantUser | None:
    person = db.session.get(Person, person_oid)
    if person is None or person.disabled:
        return None
    user = GrantUser(
        person=person, auth_time=auth_time, amr=amr, acr=acr, session_id=sid, userinfo_claims=userinfo_claims
    )
    return replace(user, grant_id=grant_id) if grant_id else user  # a refresh continues its family's grant


def _require_dpop_if_configured(client: OAuthClient) -> None:
    if client.dpop_bound_access_tokens and not g.get("dpop_jkt"):
        raise InvalidRequestError("this client must present a DPoP proof")


def _claims_request(code: AuthorizationCode) -> dict[str, Any]:
    try:
        parsed = json.loads(code.claims) if code.claims else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _code_scope(client: OAuthClient, user: GrantUser, requested: str) -> str:
    """What the code grants: the allowed scope, with offline_access only if the person consented to it."""
    allowed = client.get_allowed_scope(requested) or ""
    consented = consent.covers(user.person.oid, client.client_id, [OFFLINE_ACCESS])
    return granted_scope(allowed, consented=consented)


def build_code_grant(codes: CodeRepository, revoke_code_tokens: Any) -> type[grants.AuthorizationCodeGrant]:
    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = AUTH_METHODS

        def save_authorization_code(self, code: str, request: Any) -> None:
            user: GrantUser = request.user
            data = request.payload.data
            codes.save(
                code,
                AuthorizationCode(
                    client_id=request.client.client_id,
                    redirect_uri=request.payload.redirect_uri,
                    scope=_code_scope(request.client, user, request.payload.scope or ""),
                    person_oid=user.person.oid,
                    auth_time=user.auth_time,
                    amr=user.amr,
                    acr=user.acr,
                    nonce=data.get("nonce"),
                    code_challenge=data.get("code_challenge"),
                    code_challenge_method=data.get("code_challenge_method"),
                    session_id=user.session_id,
                    claims=data.get("claims"),
                    dpop_jkt=data.get("dpop_jkt"),
                ),
            )

        def generate_token(self, user: Any = None, scope: Any = None, **kwargs: Any) -> dict[str, Any]:
            include = kwargs.pop("include_refresh_token", True)
            include = include and issues_refresh_token(self.request.client, scope or "")
            token: dict[str, Any] = super().generate_token(user, scope, include_refresh_token=include, **kwargs)
            return token

        def query_authorization_code(self, code: str, client: OAuthClient) -> AuthorizationCode | None:
            found = codes.consume(code)
            if found is None:
                revoke_code_tokens(code, client)
                audit.record("code_redeem", result="invalid_or_replayed", client_id=client.client_id)
                return None
            if found.client_id != client.client_id:
                audit.record("code_redeem", result="other_client", client_id=client.client_id)
                return None
            return found

        def validate_token_request(self) -> None:
            super().validate_token_request()
            code: AuthorizationCode = self.request.authorization_code
            _require_dpop_if_configured(self.request.client)
            if code.dpop_jkt and code.dpop_jkt != g.get("dpop_jkt"):
                raise InvalidGrantError("the DPoP key differs from the dpop_jkt of the authorization request")

        def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
            """Nothing to do: the code was consumed atomically when it was read."""

        def authenticate_user(self, authorization_code: AuthorizationCode) -> GrantUser | None:
            c = authorization_code
            userinfo = tuple(_claims_request(c).get("userinfo") or {})
            return _user_for(
                c.person_oid, auth_time=c.auth_time, amr=c.amr, acr=c.acr, sid=c.session_id, userinfo_claims=userinfo
            )

    return CodeGrant


def build_refresh_grant(refresh: RefreshTokenService) -> type[grants.RefreshTokenGrant]:
    class RotatingRefreshGrant(grants.RefreshTokenGrant):
        TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = AUTH_METHODS
        INCLUDE_NEW_REFRESH_TOKEN = True

        def _validate_request_token(self, client: OAuthClient) -> RedeemedToken:
            raw = self.request.form.get("refresh_token")
            if raw is None:
                raise InvalidRequestError("Missing 'refresh_token' in request.")
            _require_dpop_if_configured(client)
            wanted = scope_to_list(self.request.payload.scope or "")
            granted = refresh.granted_scope(raw, client_id=client.client_id)
            if wanted and granted is not None and not set(wanted) <= set(granted.split()):
                raise InvalidScopeError("the requested scope exceeds the scope originally granted")  # token untouched
            token = refresh.redeem(raw, client_id=client.client_id, dpop_jkt=g.get("dpop_jkt"))
            if token is None:
                raise InvalidGrantError("the refresh token is invalid, expired, revoked or already used")
            return token

        def authenticate_user(self, refresh_token: RedeemedToken) -> GrantUser | None:
            r = refresh_token.row
            return _user_for(
                r.person_oid, auth_time=r.auth_time, amr=r.amr, acr=r.acr, sid=r.session_id, grant_id=r.family_id
            )

        def revoke_old_credential(self, refresh_token: RedeemedToken) -> None:
            """Already marked used by :meth:`RefreshTokenService.redeem`."""

    return RotatingRefreshGrant


class MachineGrant(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = ["client_secret_basic", "client_secret_post", "private_key_jwt"]

    def validate_token_request(self) -> None:
        super().validate_token_request()
        _require_dpop_if_configured(self.request.client)


class GosidOpenIDCode(OpenIDCode):
    def __init__(self, signer: TokenSigner) -> None:
        super().__init__(require_nonce=False)
        self._signer = signer

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return False  # nonces are bound to one code; the RP checks it in the ID token

    def get_client_algorithm(self, client: OAuthClient) -> str:
        return client.id_token_signed_response_alg or "RS256"

    def resolve_client_private_key(self, client: OAuthClient) -> Any:
        return self._signer.keyring.active(self.get_client_algorithm(client)).key

    def get_encode_header(self, client: OAuthClient) -> dict[str, str]:
        alg = self.get_client_algorithm(client)
        return {"alg": alg, "typ": "JWT", "kid": self._signer.keyring.active(alg).kid}

    def get_client_claims(self, client: OAuthClient) -> dict[str, Any]:
        return {"iss": self._signer.issuer, "aud": [client.client_id], "azp": client.client_id}

    def get_compatible_claims(self, request: Any) -> dict[str, Any]:
        claims = super().get_compatible_claims(request)
        claims["exp"] = claims["iat"] + self._signer.id_ttl
        if request.user and request.user.session_id:
            claims["sid"] = request.user.session_id
        return claims

    def get_authorization_code_claims(self, authorization_code: AuthorizationCode) -> dict[str, Any]:
        claims: dict[str, Any] = super().get_authorization_code_claims(authorization_code)
        wanted = _claims_request(authorization_code).get("id_token") or {}
        person = db.session.get(Person, authorization_code.person_oid)
        if wanted and person is not None:
            claims.update(requested_claims(person, set(wanted)))
        return claims

    def generate_user_info(self, user: GrantUser, scope: str) -> UserInfo:
        return UserInfo(claims_for(user.person, scope.split()))


class _LenientJsonPayload(JsonPayload):
    """A body that is not JSON reads as ``None`` (the endpoint refuses it), not as a 400/415 page."""

    def __init__(self, request: Any) -> None:
        self._request = request

    @property
    def data(self) -> Any:
        return self._request.get_json(silent=True)


class _GosidAuthorizationServer(AuthorizationServer):
    """Authlib's Flask server always reads the global request and ignores the one it is handed;
    the authorization endpoint hands it the resolved parameters (the pushed ones for PAR)."""

    def create_oauth2_request(self, request: Any) -> FlaskOAuth2Request:
        return FlaskOAuth2Request(request if request is not None else flask_request)

    def create_json_request(self, request: Any) -> FlaskJsonRequest:
        json_request = FlaskJsonRequest(flask_request)
        json_request.payload = _LenientJsonPayload(flask_request)
        return json_request

    def get_consent_grant(self, request: Any = None, end_user: Any = None) -> Any:
        """Malformed parameters are refused first: Authlib would quote them into an error and fail."""
        values = self.create_oauth2_request(request).payload.data
        check_syntax(values, error_redirect=lambda: registered_redirect_uri(self.query_client, values))
        return super().get_consent_grant(request=request, end_user=end_user)


class _Issuer(IssuerParameter):
    def __init__(self, issuer: str) -> None:
        self._issuer = issuer

    def get_issuer(self) -> str:
        return self._issuer


def create_authorization_server(
    app: Flask,
    *,
    signer: TokenSigner,
    codes: CodeRepository,
    refresh: RefreshTokenService,
    issuer: str,
    store: ShortLivedStore,
    used: UsedValues,
    revoke_code_tokens: Any,
    token_status: TokenStatus,
    dpop: DPoPVerifier,
    registration_token: Callable[[], str],
    metadata: dict[str, Any],
    production: bool,
) -> AuthorizationServer:
    """The server; ``metadata`` (the discovery document) is validated here, once.
    ``registration_token`` gives the current RFC 7591 initial access token ("" = disabled)."""
    validate_metadata(metadata, production=production)

    def query_client(client_id: str) -> OAuthClient | None:
        client = db.session.get(OAuthClient, client_id) if is_client_id(client_id) else None
        return None if client is None or client.disabled else client

    def save_token(token: dict[str, Any], request: Any) -> None:
        redeemed = getattr(request, "refresh_token", None)
        jkt = g.get("dpop_jkt")
        if jkt:
            token["token_type"] = "DPoP"  # noqa: S105 - a token type name
        family_id = None
        if "refresh_token" in token and request.user is not None:
            token["refresh_token"], family_id = refresh.issue(
                client_id=request.client.client_id,
                user=request.user,
                scope=token["scope"],
                family=redeemed.row if redeemed else None,
                dpop_jkt=jkt,
            )
        grant_type = request.payload.grant_type if hasattr(request, "payload") else None
        person_oid = request.user.person.oid if request.user is not None else None
        if grant_type == "authorization_code":
            claims = signer.unverified_claims(token["access_token"])
            codes.mark_redeemed(
                request.form["code"],
                family_id=family_id,
                access_jti=claims["jti"],
                access_exp=claims["exp"],
                ttl=signer.access_ttl + 3600,
            )
        audit.record(
            "token_issued",
            person_oid=person_oid,
            client_id=request.client.client_id,
            grant_type=grant_type,
            scope=token.get("scope"),
            dpop=bool(jkt),
        )
        if redeemed is not None and refresh.family_revoked(redeemed.row.family_id):
            # A copy was presented while this rotation ran and revoked the family before the
            # successor existed: revoke again so the successor cannot escape (RFC 9700 §4.14.2).
            # This response still carries it, dead; parallel duplicates get invalid_grant.
            refresh.revoke_family(redeemed.row.family_id, reason="reuse_during_rotation")

    def access_token(client: OAuthClient, grant_type: str, user: GrantUser | None, scope: str) -> str:
        return signer.access_token(client=client, user=user, scope=scope, dpop_jkt=g.get("dpop_jkt"))

    server = _GosidAuthorizationServer(app, query_client=query_client, save_token=save_token)
    generator = BearerTokenGenerator(
        access_token_generator=access_token,
        refresh_token_generator=lambda *a, **k: "issued-in-save-token",
        expires_generator=lambda client, grant_type: signer.access_ttl,
    )
    server.register_token_generator("default", generator)
    server.register_client_auth_method("private_key_jwt", private_key_jwt_authenticator(issuer=issuer, used=used))
    server.register_client_auth_method("client_secret_basic", client_secret_basic)
    server.register_grant(
        build_code_grant(codes, revoke_code_tokens), [S256Only(required=True), GosidOpenIDCode(signer)]
    )
    server.register_grant(build_refresh_grant(refresh))
    server.register_grant(MachineGrant)
    server.register_extension(_Issuer(issuer))
    server.register_endpoint(TokenIntrospection(token_status))
    server.register_endpoint(TokenRevocation(token_status))
    protector = access_token_protector(token_status, dpop=dpop, url=f"{issuer}/userinfo")
    server.register_endpoint(GosidUserInfo(resource_protector=protector, issuer=issuer))
    server.register_endpoint(ClientRegistration(initial_access_token=registration_token))
    return server
