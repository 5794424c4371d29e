"""A loopback stand-in for the IdP's public HTTP surface, for testing relying parties.

It serves discovery, JWKS, a token endpoint (client_secret_basic + PKCE S256), userinfo and
RFC 7662 introspection from ``http.server`` on 127.0.0.1, and mints tokens with keys it
generates. It is test support (like ``flask.testing``): the RP application never imports it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from relying_party_demo.testing_keys import (
    ManualClock,
    SigningKey,
    bearer,
    csrf_token_from,
    dpop,
    dpop_proof,
    generate_signing_key,
    sign,
)

__all__ = [
    "AuthorizationGrant",
    "FakeIdp",
    "ManualClock",
    "SigningKey",
    "bearer",
    "csrf_token_from",
    "dpop",
    "dpop_proof",
    "generate_signing_key",
    "sign",
]


@dataclass
class AuthorizationGrant:
    """A code the fake IdP will redeem once, as if the person had logged in and consented."""

    sub: str
    scope: str
    nonce: str
    code_challenge: str
    redirect_uri: str
    userinfo: dict[str, Any] = field(default_factory=dict)
    id_token_overrides: dict[str, Any] = field(default_factory=dict)
    access_token_overrides: dict[str, Any] = field(default_factory=dict)


class FakeIdp:
    def __init__(
        self,
        *,
        client_id: str = "egisz-demo",
        client_secret: str = "rp-test-secret",  # noqa: S107
        signing_key: SigningKey | None = None,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        # Tokens are signed with keys[0]; tests may append keys to publish more.
        self.keys: list[SigningKey] = [signing_key or generate_signing_key("RS256", "rsa-1")]
        self.requests: Counter[str] = Counter()
        self.iss_parameter_supported = True
        self.end_session_supported = True
        self.introspection_supported = True
        self.acr_values_supported: list[str] | None = ["urn:gosid:acr:2fa", "urn:gosid:acr:strong"]
        # Tokens minted here, for introspection; tests may mark some revoked.
        self.issued: dict[str, dict[str, Any]] = {}
        self.revoked: set[str] = set()
        self._grants: dict[str, AuthorizationGrant] = {}
        self._userinfo_by_token: dict[str, dict[str, Any]] = {}
        self._server = _IdpServer(self)
        self.issuer = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self) -> FakeIdp:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop serving (idempotent): later requests get "connection refused"."""
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    # --- tokens -------------------------------------------------------------------------
    def access_token_claims(self, sub: str = "1000000001", scope: str = "openid") -> dict[str, Any]:
        now = int(time.time())
        return {
            "iss": self.issuer,
            "sub": sub,
            "aud": self.client_id,
            "client_id": self.client_id,
            "scope": scope,
            "exp": now + 600,
            "iat": now,
            "jti": secrets.token_hex(8),
            "auth_time": now,
            "acr": "urn:gosid:acr:2fa",
            "amr": ["pwd", "sms"],
        }

    def access_token(
        self,
        sub: str = "1000000001",
        scope: str = "openid",
        *,
        key: SigningKey | None = None,
        **overrides: Any,
    ) -> str:
        claims = {**self.access_token_claims(sub, scope), **overrides}
        token = sign(claims, key or self.keys[0], typ="at+jwt")
        self.issued[token] = claims
        return token

    def id_token(self, grant: AuthorizationGrant, access_token: str) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": grant.sub,
            "aud": self.client_id,
            "exp": now + 600,
            "iat": now,
            "auth_time": now,
            "nonce": grant.nonce,
            **grant.id_token_overrides,
        }
        return sign(claims, self.keys[0], typ="JWT")

    # --- login ----------------------------------------------------------------------------
    def approve(self, grant: AuthorizationGrant) -> str:
        """Record a grant, as if the person had logged in, and return its one-time code."""
        code = secrets.token_urlsafe(16)
        self._grants[code] = grant
        return code

    def grant_for(self, query: dict[str, str], sub: str, **extra: Any) -> AuthorizationGrant:
        """A grant matching the RP's authorization request (its nonce, PKCE and scope)."""
        return AuthorizationGrant(
            sub=sub,
            scope=query["scope"],
            nonce=query["nonce"],
            code_challenge=query["code_challenge"],
            redirect_uri=query["redirect_uri"],
            **extra,
        )

    def redeem(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        if authorization != _basic(self.client_id, self.client_secret):
            return 401, {"error": "invalid_client"}
        grant = self._grants.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        if grant is None or _s256(verifier) != grant.code_challenge:
            return 400, {"error": "invalid_grant"}
        if form.get("redirect_uri") != grant.redirect_uri:
            return 400, {"error": "invalid_grant"}
        access = self.access_token(grant.sub, grant.scope, **grant.access_token_overrides)
        self._userinfo_by_token[access] = {"sub": grant.sub, **grant.userinfo}
        return 200, {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": 600,
            "scope": grant.scope,
            "id_token": self.id_token(grant, access),
        }

    # --- documents ------------------------------------------------------------------------
    def discovery(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            "authorization_response_iss_parameter_supported": self.iss_parameter_supported,
        }
        if self.end_session_supported:
            doc["end_session_endpoint"] = f"{self.issuer}/logout"
        if self.introspection_supported:
            doc["introspection_endpoint"] = f"{self.issuer}/introspect"
        if self.acr_values_supported is not None:
            doc["acr_values_supported"] = self.acr_values_supported
        return doc

    def introspect(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        """RFC 7662 for the tokens minted here: active unless unknown, expired or revoked."""
        if authorization != _basic(self.client_id, self.client_secret):
            return 401, {"error": "invalid_client"}
        token = form.get("token", "")
        claims = self.issued.get(token)
        if claims is None or token in self.revoked or claims["exp"] <= time.time():
            return 200, {"active": False}
        return 200, {"active": True, "token_type": "Bearer", **claims}

    def jwks(self) -> dict[str, Any]:
        return {"keys": [dict(k.as_dict(private=False)) for k in self.keys]}

    def set_userinfo(self, token: str, claims: dict[str, Any]) -> None:
        """What userinfo answers for ``token`` (a token minted with :meth:`access_token`)."""
        self._userinfo_by_token[token] = {"sub": self.issued[token]["sub"], **claims}

    def userinfo(self, authorization: str) -> tuple[int, dict[str, Any]]:
        token = authorization.removeprefix("Bearer ")
        found = self._userinfo_by_token.get(token)
        return (200, found) if found else (401, {"error": "invalid_token"})


def _basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class _IdpServer(ThreadingHTTPServer):
    def __init__(self, idp: FakeIdp) -> None:
        super().__init__(("127.0.0.1", 0), _IdpHandler)
        self.idp = idp


class _IdpHandler(BaseHTTPRequestHandler):
    server: _IdpServer

    def do_GET(self) -> None:
        idp = self.server.idp
        idp.requests[self.path] += 1
        if self.path == "/.well-known/openid-configuration":
            self._send(200, idp.discovery())
        elif self.path == "/jwks":
            self._send(200, idp.jwks())
        elif self.path == "/userinfo":
            self._send(*idp.userinfo(self.headers.get("Authorization", "")))
        else:
            self._send(404, {"error": "not_found"})

    def do_POST(self) -> None:
        idp = self.server.idp
        idp.requests[self.path] += 1
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        form = {k: v[0] for k, v in parse_qs(body).items()}
        if self.path == "/token":
            self._send(*idp.redeem(form, self.headers.get("Authorization", "")))
        elif self.path == "/introspect":
            self._send(*idp.introspect(form, self.headers.get("Authorization", "")))
        else:
            self._send(404, {"error": "not_found"})

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean
