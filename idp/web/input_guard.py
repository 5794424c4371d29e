"""Input that no endpoint can use is refused before any view reads it, in the surface's own
error shape (never a 500 from the database):

* a NUL character in a parameter, a JSON body or a header (RFC 9110 §5.5 calls such header
  values invalid; PostgreSQL text cannot hold one): 400 ``invalid_request``;
* a numeric id in the path beyond a 64-bit integer (no row can have it; PostgreSQL refuses
  to compare it): 404.

Protocol endpoints answer OAuth JSON, the ESIA dialect ESIA's JSON or refusal page, pages
for people the error page with a support code.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext

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


class UnusableInput(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


def _esia_answer(exc: UnusableInput) -> ResponseReturnValue:
    from idp.esia.errors import InvalidParameter, NotFound
    from idp.web.esia import responses

    error = InvalidParameter(exc.description) if exc.status == 400 else NotFound(exc.description)
    if request.blueprint == "esia_api":
        return responses.as_json(error, endpoint=request.path, client_id=None, state=None)
    return responses.as_page(error, endpoint=request.path, client_id=None)


def _answer(exc: UnusableInput) -> ResponseReturnValue:
    if request.blueprint in ESIA_BLUEPRINTS:
        return _esia_answer(exc)
    if request.blueprint in OAUTH_BLUEPRINTS:
        from idp.web.protocol_support import json_error

        return json_error(400, "invalid_request", exc.description)
    from idp.web.errors import render_error

    return render_error(400, "invalid_request", gettext("The request contains characters that are not allowed."))


def init_app(app: Flask) -> None:
    app.register_error_handler(UnusableInput, _answer)

    @app.url_value_preprocessor
    def _ids_in_range(endpoint: str | None, values: dict[str, Any] | None) -> None:
        if any(isinstance(v, int) and not -MAX_ID <= v <= MAX_ID for v in (values or {}).values()):
            if request.blueprint in ESIA_BLUEPRINTS:
                raise UnusableInput(404, f"{request.path}: no such resource")
            abort(404)  # the site's own not-found answer

    @app.before_request
    def _no_nul() -> None:
        if request.routing_exception is not None:
            return  # no such route: the routing answer (404, 405) stands
        where = _nul_somewhere()
        if where:
            raise UnusableInput(400, f"{where} contains a NUL character")
