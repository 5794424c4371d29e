"""The one place ESIA refusals become responses: JSON for machines, a redirect to the
validated ``redirect_uri`` with ``state``, or a page for a person. In dev mode each refusal
also links its diagnostics (``error_uri``).

Views raise :class:`~idp.esia.errors.EsiaError`; :func:`render_refusal` is the error handler
of both ESIA blueprints. A view that knows more than the request path (the ESIA endpoint's
name, the client, a validated ``redirect_uri``) says so first with :func:`reply_to`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from authlib.common.urls import add_params_to_uri
from flask import Response, g, jsonify, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from werkzeug.wrappers import Response as WerkzeugResponse

from idp.errors import DependencyUnavailable
from idp.esia.errors import EsiaError, InvalidToken, ServiceUnavailable
from idp.web.esia import diagnostics

MACHINE_BLUEPRINT = "esia_api"  # its refusals are JSON; the browser blueprint's pages or redirects


@dataclass(frozen=True)
class ReplyTo:
    """Where this request's refusals go and how diagnostics name it."""

    endpoint: str
    client_id: str | None = None
    state: str | None = None
    redirect_uri: str | None = None  # validated for ``client_id``: refusals go back there


def reply_to(
    endpoint: str, *, client_id: str | None = None, state: str | None = None, redirect_uri: str | None = None
) -> None:
    """Declare, for the rest of this request, where an ESIA refusal goes (see :class:`ReplyTo`)."""
    g.esia_reply_to = ReplyTo(endpoint, client_id, state, redirect_uri)


def render_refusal(error: EsiaError) -> ResponseReturnValue:
    """The error handler of the ESIA blueprints (until a view says otherwise: the request path)."""
    reply: ReplyTo = g.get("esia_reply_to") or ReplyTo(request.path)
    if reply.redirect_uri and reply.client_id:
        return as_redirect(
            error, reply.redirect_uri, endpoint=reply.endpoint, client_id=reply.client_id, state=reply.state
        )
    if request.blueprint != MACHINE_BLUEPRINT:
        return as_page(error, endpoint=reply.endpoint, client_id=reply.client_id)
    resp = as_json(error, endpoint=reply.endpoint, client_id=reply.client_id, state=reply.state)
    if isinstance(error, InvalidToken):  # RFC 6750 §3: a refused bearer token gets the challenge
        resp.headers["WWW-Authenticate"] = f'Bearer error="{error.error}"'
    return resp


def render_outage(outage: DependencyUnavailable) -> ResponseReturnValue:
    """A dependency failure on the ESIA surface: ``ESIA-007008 temporarily_unavailable``, 503 with
    ``Retry-After``, as JSON for the machine blueprint and a page for people (never a redirect:
    the client's ``redirect_uri`` would drop the status and ``Retry-After``). No diagnostics are
    kept: they live in the store, which may be the dependency that failed."""
    error = ServiceUnavailable(outage.code)
    if request.blueprint == MACHINE_BLUEPRINT:
        resp = jsonify({"error": error.error, "error_description": error.error_description})
        resp.headers["Cache-Control"] = "no-store"
    else:
        page = render_template("error.html", code=error.code, message=gettext(outage.message), status=error.status)
        resp = Response(page, mimetype="text/html")
    resp.status_code = error.status
    resp.headers["Retry-After"] = str(outage.retry_after)
    return resp


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
