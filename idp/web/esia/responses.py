"""The one place ESIA refusals become responses: JSON for machines, a redirect to the
validated ``redirect_uri`` with ``state``, or a page for a person. In dev mode each refusal
also links its diagnostics (``error_uri``)."""

from __future__ import annotations

from typing import Any

from authlib.common.urls import add_params_to_uri
from flask import Response, jsonify, redirect, render_template
from flask_babel import gettext
from werkzeug.wrappers import Response as WerkzeugResponse

from idp.esia.errors import EsiaError
from idp.web.esia import diagnostics


def _note(error: EsiaError, endpoint: str, client_id: str | None, state: str | None) -> None:
    error.state = state
    error.diagnostics_id = diagnostics.record(error, endpoint=endpoint, client_id=client_id)


def _fields(error: EsiaError) -> dict[str, Any]:
    fields: dict[str, Any] = {"error": error.error, "error_description": error.error_description}
    if error.state is not None:
        fields["state"] = error.state
    uri = diagnostics.link(error.diagnostics_id)
    if uri:
        fields["error_uri"] = uri
    return fields


def as_json(error: EsiaError, *, endpoint: str, client_id: str | None, state: str | None) -> Response:
    _note(error, endpoint, client_id, state)
    resp = jsonify(_fields(error))
    resp.status_code = error.status
    resp.headers["Cache-Control"] = "no-store"
    return resp


def as_redirect(
    error: EsiaError, redirect_uri: str, *, endpoint: str, client_id: str, state: str | None
) -> WerkzeugResponse:
    _note(error, endpoint, client_id, state)
    location = add_params_to_uri(redirect_uri, list(_fields(error).items()))
    return redirect(location, 302)


def as_page(error: EsiaError, *, endpoint: str, client_id: str | None) -> tuple[str, int]:
    _note(error, endpoint, client_id, None)
    page = render_template(
        "esia/error.html",
        code=error.code,
        message=gettext(error.description),
        detail=error.detail,
        diagnostics=diagnostics.link(error.diagnostics_id),
    )
    return page, error.status


def token_response(data: dict[str, Any]) -> Response:
    resp = jsonify(data)
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Pragma"] = "no-cache"
    return resp
