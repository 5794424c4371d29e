"""How an authorization response, a code or an error, travels to the client: a redirect with a
query (the default) or, for ``response_mode=form_post``, a page that POSTs it there."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit, urlunsplit

from flask import Response, render_template


def deliver(location: str, *, mode: str, status: int) -> Response:
    """Redirect to ``location`` with ``status``, or for form_post POST its query parameters there."""
    if mode != "form_post":
        response = Response(status=status)
        response.headers["Location"] = location
        return response
    parts = urlsplit(location)
    target = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    fields = parse_qsl(parts.query, keep_blank_values=True)
    return Response(render_template("form_post.html", target=target, fields=fields), status=200)
