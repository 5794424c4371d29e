"""The one place where domain errors become responses (JSON for APIs, HTML for people).

A :class:`~idp.errors.GosidError` becomes the error page with its support code (JSON for a
client asking for JSON); an Authlib ``OAuth2Error`` (``idp.oidc.errors``) the OAuth JSON or
redirect. The ESIA blueprints render their own family (``idp.web.esia.responses``).

A failed dependency (:func:`as_outage`: the database unreachable, the short-lived store
unavailable, the SMS or e-mail gateway down) is a 503 with ``Retry-After`` on every surface
(:func:`outage_response`): OAuth JSON ``temporarily_unavailable`` on the protocol endpoints,
``ESIA-007008`` on the ESIA dialect, a page (or JSON) for people.
"""

from __future__ import annotations

from authlib.oauth2 import OAuth2Error
from flask import Flask, Response, current_app, jsonify, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sql
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from idp.adapters.store import StoreUnavailable
from idp.errors import RETRY_AFTER_SECONDS, DatabaseUnavailable, DependencyUnavailable, GosidError, StoreOutage
from idp.oidc.authorization.errors import AuthorizationError
from idp.web import input_guard
from idp.web.authorization_response import deliver
from idp.web.esia import responses as esia_responses

# Blueprints whose callers are OAuth clients: an outage is RFC 6749 §5.2 JSON there.
PROTOCOL_BLUEPRINTS = frozenset({"endpoints", "registration_endpoint"})
ESIA_BLUEPRINTS = frozenset({"esia", esia_responses.MACHINE_BLUEPRINT})


def is_connection_error(exc: BaseException) -> bool:
    """A database error that says the database is unreachable, not that the statement is wrong:
    a failed or cut connection (``OperationalError``, ``InterfaceError``, any DBAPI error that
    invalidated its connection) or an exhausted pool (``sqlalchemy.exc.TimeoutError``)."""
    if isinstance(exc, sql.OperationalError | sql.InterfaceError | sql.TimeoutError):
        return True
    return isinstance(exc, sql.DBAPIError) and exc.connection_invalidated


def as_outage(exc: BaseException) -> DependencyUnavailable | None:
    """The dependency failure ``exc`` stands for, or ``None`` if it is not one."""
    if isinstance(exc, DependencyUnavailable):
        return exc
    if isinstance(exc, StoreUnavailable):
        outage = StoreOutage(str(exc))
        if exc.retry_after is not None:  # the open circuit knows when its next trial is due
            outage.retry_after = exc.retry_after
        return outage
    if is_connection_error(exc):
        return DatabaseUnavailable(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    return None


def outage_response(outage: DependencyUnavailable) -> BaseResponse:
    """503 with ``Retry-After``, in the shape of the surface the request came to."""
    current_app.logger.error("dependency unavailable (%s): %s", outage.code, outage)
    if request.blueprint in ESIA_BLUEPRINTS:
        resp = current_app.make_response(esia_responses.render_outage(outage))
    elif request.blueprint in PROTOCOL_BLUEPRINTS:
        resp = jsonify(error="temporarily_unavailable", error_description=f"{outage.code}: {gettext(outage.message)}")
        resp.status_code = outage.status
    else:
        resp = current_app.make_response(render_error(outage.status, outage.code, gettext(outage.message)))
    resp.headers["Retry-After"] = str(outage.retry_after)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def render_error(status: int, code: str, message: str) -> tuple[Response | str, int]:
    if wants_json():
        return jsonify(error=code, error_description=message), status
    return render_template("error.html", code=code, message=message, status=status), status


def protocol_response(error: OAuth2Error) -> BaseResponse:
    """An OAuth error as RFC 6749 §5.2 JSON (no-store, the error's headers), or the redirect
    back to the client when the error carries a ``redirect_uri``."""
    if isinstance(error, AuthorizationError):  # the authorization endpoint's: by its response mode
        return deliver(error.location, mode=error.response_mode, status=error.redirect_status)
    status, body, headers = error()
    if status == 302:
        return redirect(dict(headers)["Location"])
    resp = jsonify(dict(body))
    resp.status_code = status
    for key, value in headers:
        if key.lower() != "content-type":
            resp.headers[key] = value
    resp.headers["Cache-Control"] = "no-store"
    return resp


def init_app(app: Flask) -> None:
    input_guard.init_app(app)  # input no endpoint can use is refused before any view reads it

    @app.errorhandler(OAuth2Error)
    def _protocol(exc: OAuth2Error) -> BaseResponse:
        return protocol_response(exc)

    @app.errorhandler(GosidError)  # login, account and any other refusal shown to a person
    def _refusal(exc: GosidError) -> ResponseReturnValue:
        resp = app.make_response(render_error(exc.status, exc.code, gettext(exc.message)))
        if exc.status == 503:  # an outside service of a factor or check (the bank, a registry)
            resp.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return resp

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> tuple[Response | str, int]:
        return render_error(
            403,
            "CSRF-001",
            gettext("The form is outdated or was not sent from this site. Reload the page and try again."),
        )

    def _outage(exc: Exception) -> ResponseReturnValue:
        outage = as_outage(exc)
        if outage is None:  # a database error that is not an outage: the unhandled 500
            raise exc
        return outage_response(outage)

    # DependencyUnavailable is a GosidError: Flask picks the closest class, so this one wins.
    for family in (DependencyUnavailable, StoreUnavailable, sql.DBAPIError, sql.TimeoutError):
        app.register_error_handler(family, _outage)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> tuple[Response | str, int]:
        status = exc.code or 500
        return render_error(status, f"HTTP-{status}", gettext(exc.name))
