"""Reads the bearer token from a request: the Authorization header and nowhere else."""

from __future__ import annotations

from flask import Request

from relying_party_demo.errors import InvalidRequest, NoToken


def bearer_token(request: Request, *, realm: str) -> str:
    """The token from ``Authorization: Bearer ...``.

    Tokens in the query string or a form body leak into logs and Referer headers, so their
    presence is an ``invalid_request`` even when the header is also set.
    """
    if "access_token" in request.args or (
        request.mimetype == "application/x-www-form-urlencoded" and "access_token" in request.form
    ):
        raise InvalidRequest("send the access token in the Authorization header, not in the URL")
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        # No credentials, or a scheme we do not support: a bare challenge (RFC 6750 §3.1).
        raise NoToken(realm)
    token = token.strip()
    if not token or " " in token:
        raise InvalidRequest("the Authorization header must be 'Bearer <token>'")
    return token
