"""The one place where errors become responses: JSON under /api, an HTML page elsewhere.

The database unreachable is :class:`DatabaseUnavailable`: 503 with ``Retry-After``, in the
same two shapes; the next request after the database is back is served (the pool pings)."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sql
from werkzeug.exceptions import HTTPException

from relying_party_demo.documents import UPLOAD_FIELDS
from relying_party_demo.errors import CsrfFailed, DatabaseUnavailable, HttpProblem, NotFound, PayloadTooLarge, RpError
from relying_party_demo.services import services

log = logging.getLogger(__name__)


def wants_json() -> bool:
    # The back-channel logout is called by the IdP, not a browser: its errors are JSON too.
    return request.path.startswith("/api/") or request.endpoint == "auth.backchannel_logout"


def render_error(err: RpError) -> Response:
    status = err.response_status()
    if wants_json():
        response = jsonify(err.json_body())
    else:
        response = Response(render_template("error.html", err=err, status=status))
    response.status_code = status
    response.headers.update(err.headers())
    return response


def install_error_rendering(app: Flask) -> None:
    app.register_error_handler(RpError, render_error)

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> Response:
        return render_error(CsrfFailed(exc.description or ""))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        if exc.code == 404:
            return render_error(NotFound(f"nothing at {request.path}"))
        if exc.code == 413:
            return render_error(_too_large())
        return render_error(HttpProblem(exc.code or 500, exc.name, exc.description or ""))

    def _database(exc: Exception) -> Response:
        if not is_connection_error(exc):  # a wrong statement, not an outage
            return _unexpected(exc)
        log.error("database unavailable on %s %s: %s", request.method, request.path, str(exc).split("\n")[0])
        return render_error(DatabaseUnavailable())

    for family in (sql.DBAPIError, sql.TimeoutError):
        app.register_error_handler(family, _database)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(RpError())


def is_connection_error(exc: BaseException) -> bool:
    """The database is unreachable, not the statement wrong: a failed or cut connection
    (``OperationalError``, ``InterfaceError``, any DBAPI error that invalidated its connection)
    or an exhausted pool (``sqlalchemy.exc.TimeoutError``)."""
    if isinstance(exc, sql.OperationalError | sql.InterfaceError | sql.TimeoutError):
        return True
    return isinstance(exc, sql.DBAPIError) and exc.connection_invalidated


def _too_large() -> PayloadTooLarge:
    """The body is over ``MAX_CONTENT_LENGTH`` and was not read: name the endpoint's file field."""
    field, label = UPLOAD_FIELDS.get(request.endpoint or "", (None, None))
    return PayloadTooLarge(limit_bytes=services().settings.max_upload_bytes, field=field, label=label)
