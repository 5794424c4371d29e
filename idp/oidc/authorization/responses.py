"""How an authorization response travels: redirect with a query (default) or form_post."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit, urlunsplit

from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import OAuth2Error
from flask import Response, render_template


def with_issuer(location: str, issuer: str) -> str:
    return add_params_to_uri(location, {"iss": issuer}) if "iss=" not in location else location


def deliver(location: str, *, mode: str, status: int) -> Response:
    """Redirect to ``location``, or for form_post POST its query parameters there instead."""
    if mode != "form_post":
        response = Response(status=status)
        response.headers["Location"] = location
        return response
    parts = urlsplit(location)
    target = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    fields = parse_qsl(parts.query, keep_blank_values=True)
    return Response(render_template("form_post.html", target=target, fields=fields), status=200)


def error_location(error: OAuth2Error) -> str | None:
    """Where an error may be sent: only to a redirect_uri already validated for the client."""
    if not error.redirect_uri:
        return None
    _, _, headers = error()
    return str(dict(headers)["Location"])
