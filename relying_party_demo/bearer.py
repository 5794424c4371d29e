"""Reads the access token from a request: the Authorization header and nowhere else, with the
``Bearer`` scheme (RFC 6750) or the ``DPoP`` scheme and its proof header (RFC 9449)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Request

from relying_party_demo.errors import InvalidDpopProof, InvalidRequest, NoToken

SCHEMES = ("bearer", "dpop")


@dataclass(frozen=True)
class PresentedToken:
    scheme: str  # "bearer" or "dpop"
    token: str
    proof: str | None = None


def presented_token(request: Request, *, realm: str) -> PresentedToken:
    """The token (and, for DPoP, its proof) from the Authorization and DPoP headers.

    Tokens in the query string or a form body leak into logs and Referer headers, so their
    presence is an ``invalid_request`` even when the header is also set.
    """
    if "access_token" in request.args or (
        request.mimetype == "application/x-www-form-urlencoded" and "access_token" in request.form
    ):
        raise InvalidRequest("send the access token in the Authorization header, not in the URL")
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    scheme = scheme.lower()
    if scheme not in SCHEMES:
        # No credentials, or a scheme we do not support: a bare challenge (RFC 6750 §3.1).
        raise NoToken(realm)
    token = token.strip()
    if not token or " " in token:
        raise InvalidRequest(f"the Authorization header must be '{scheme.capitalize()} <token>'")
    if scheme == "bearer":
        return PresentedToken("bearer", token)
    proofs = request.headers.getlist("DPoP")
    if len(proofs) != 1:
        raise InvalidDpopProof("a DPoP request needs exactly one DPoP proof header")
    return PresentedToken("dpop", token, proofs[0])
