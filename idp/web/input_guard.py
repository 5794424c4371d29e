"""Input that no endpoint can use is refused before any view reads it, in the surface's own
error shape (never a 500 from the database):

* a NUL character in a parameter, a JSON body or a header (RFC 9110 §5.5 calls such header
  values invalid; PostgreSQL text cannot hold one): 400 ``invalid_request``;
* a numeric id in the path beyond a 64-bit integer (no row can have it; PostgreSQL refuses
  to compare it): 404;
* a body the server cannot hand over (a malformed ``Transfer-Encoding: chunked`` body, a
  connection cut half-way): 400 ``invalid_request``. Whatever the WSGI server raises while
  the body is read (gunicorn's ``InvalidChunkSize``, ``NoMoreData``, a socket error) becomes
  :class:`UnreadableBody`, a werkzeug ``BadRequest``, and the guard reads the whole body
  before any view, so the refusal is in the surface's shape.

Each refusal is the surface's own typed error, rendered where that family is rendered: OAuth
JSON for protocol endpoints, ESIA's JSON or refusal page for the ESIA dialect, the error page
with a support code for pages for people.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, request
from werkzeug.exceptions import BadRequest

from gosid_config.http_guards import guard_wsgi_input
from idp.errors import N_, GosidError
from idp.esia import errors as esia_errors
from idp.oidc.errors import InvalidRequest

MAX_ID = 2**63 - 1
OAUTH_BLUEPRINTS = {"endpoints", "registration_endpoint"}
ESIA_BLUEPRINTS = {"esia", "esia_api"}


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _nul_somewhere() -> str | None:
    """Where a NUL came in, or ``None``."""
    if "\x00" in request.path:
        return "the path"
    for where, source in (("the query", request.args), ("the form", request.form)):
        if any(_has_nul(k) or _has_nul(v) for k, v in source.items(multi=True)):
            return where
    if any("\x00" in value for _, value in request.headers.items()):
        return "a header"
    if request.is_json and _has_nul(request.get_json(silent=True)):
        return "the JSON body"
    return None


class UnusableInput(GosidError):
    """A NUL character on a page for people (the protocol surfaces get their own family's error)."""

    code = "invalid_request"
    status = 400
    message = N_("The request contains characters that are not allowed.")


def _nul_refusal(where: str) -> GosidError:
    description = f"{where} contains a NUL character"
    if request.blueprint in ESIA_BLUEPRINTS:
        return esia_errors.InvalidParameter(description)
    if request.blueprint in OAUTH_BLUEPRINTS:
        return InvalidRequest(description)
    return UnusableInput()


class UnreadableBody(BadRequest):
    """The WSGI server could not hand over the request body (malformed chunks, a cut connection)."""

    description = "The request body could not be read."


def _unreadable_refusal() -> Exception:
    description = "the request body could not be read"
    if request.blueprint in ESIA_BLUEPRINTS:
        return esia_errors.InvalidParameter(description)
    if request.blueprint in OAUTH_BLUEPRINTS:
        return InvalidRequest(description)
    return UnreadableBody()


def init_app(app: Flask) -> None:
    app.wsgi_app = guard_wsgi_input(app.wsgi_app, UnreadableBody)  # type: ignore[method-assign]

    @app.url_value_preprocessor
    def _ids_in_range(endpoint: str | None, values: dict[str, Any] | None) -> None:
        if any(isinstance(v, int) and not -MAX_ID <= v <= MAX_ID for v in (values or {}).values()):
            if request.blueprint in ESIA_BLUEPRINTS:
                raise esia_errors.NotFound(f"{request.path}: no such resource")
            abort(404)  # the site's own not-found answer

    @app.before_request
    def _no_nul() -> None:
        if request.routing_exception is not None:
            return  # no such route: the routing answer (404, 405) stands
        try:
            request.get_data(parse_form_data=True)  # all of it now, within MAX_CONTENT_LENGTH
        except UnreadableBody:
            raise _unreadable_refusal() from None
        where = _nul_somewhere()
        if where:
            raise _nul_refusal(where)
