"""The one place where domain errors become responses (JSON for APIs, HTML for people).

A :class:`~idp.errors.GosidError` becomes the error page with its support code (JSON for a
client asking for JSON); an Authlib ``OAuth2Error`` (``idp.oidc.errors``) the OAuth JSON or
redirect. The ESIA blueprints render their own family (``idp.web.esia.responses``).
"""

from __future__ import annotations

from authlib.oauth2 import OAuth2Error
from flask import Flask, Response, jsonify, redirect, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from idp.adapters.store import StoreUnavailable
from idp.errors import GosidError
from idp.oidc.authorization.errors import AuthorizationError
from idp.web import input_guard
from idp.web.authorization_response import deliver


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
    def _refusal(exc: GosidError) -> tuple[Response | str, int]:
        return render_error(exc.status, exc.code, gettext(exc.message))

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> tuple[Response | str, int]:
        return render_error(
            403,
            "CSRF-001",
            gettext("The form is outdated or was not sent from this site. Reload the page and try again."),
        )

    @app.errorhandler(StoreUnavailable)
    def _store(exc: StoreUnavailable) -> tuple[Response | str, int]:
        app.logger.error("short-lived store unavailable: %s", exc)
        return render_error(503, "SVC-503", gettext("The service is temporarily unavailable. Try again in a minute."))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> tuple[Response | str, int]:
        status = exc.code or 500
        return render_error(status, f"HTTP-{status}", gettext(exc.name))
