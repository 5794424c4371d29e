"""Shared pieces of the machine-facing endpoints: the Authlib server, the request-shape rules
every client-authenticated endpoint applies, and DPoP at the token endpoint. Refusals raise
:mod:`idp.oidc.errors` (``idp.web.errors`` renders them)."""

from __future__ import annotations

from authlib.integrations.flask_oauth2 import AuthorizationServer
from flask import g, request

from idp.oidc.client_auth import auth_mechanisms
from idp.oidc.errors import InvalidRequest
from idp.oidc.models import OAuthClient
from idp.services import services


def server() -> AuthorizationServer:
    found: AuthorizationServer = services().oauth
    return found


def endpoint_url(path: str) -> str:
    return services().settings.issuer + path


def refuse_ambiguous_request() -> None:
    """RFC 6749 §2.3: a client MUST NOT use more than one authentication method per request;
    RFC 6749 §3.1/§3.2: parameters MUST NOT be included more than once."""
    for source in (request.form, request.args):
        repeated = sorted(k for k in source if len(source.getlist(k)) > 1)
        if repeated:
            raise InvalidRequest(f"parameter {repeated[0]!r} is repeated")
    if len(auth_mechanisms(request.headers, request.form)) > 1:
        raise InvalidRequest("more than one client authentication mechanism in the request")


def authenticate_client(endpoint: str) -> OAuthClient:
    """The authenticated client of this request, or :class:`OAuth2Error` (``invalid_client``)."""
    oauth_request = server().create_oauth2_request(request)
    methods = ["client_secret_basic", "client_secret_post", "private_key_jwt"]
    client: OAuthClient = server().authenticate_client(oauth_request, methods, endpoint)
    return client


def bind_token_request_to_dpop_key() -> None:
    """Check a DPoP proof if one came (a refusal is a 400 ``DPoPError``); remember its key
    thumbprint for the token generator."""
    proof = request.headers.get("DPoP")
    g.dpop_jkt = None
    if proof is not None:
        g.dpop_jkt = services().dpop.verify(proof, method="POST", url=endpoint_url("/token")).jkt
