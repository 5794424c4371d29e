"""One unit of work per request: the views and the domain code they call only change the
session; this hook commits it once, when the response is ready.

- A response below 500 commits, handled refusals included (the audit row of a failed login, a
  refresh family revoked on reuse must persist).
- A 5xx response or an unhandled exception rolls everything back: no half-written rows, no
  audit row of a change that did not happen.
- A failing commit becomes an error response, never a success the client would believe: a
  503 with ``Retry-After`` when the database went away (``idp.web.errors.as_outage``), the
  500 page otherwise.

It also binds the audit context (the client's IP, a request id) for the request's duration.
"""

from __future__ import annotations

import uuid

from flask import Flask, Response, request
from werkzeug.wrappers import Response as BaseResponse

from idp.audit import context
from idp.storage.db import db
from idp.web import errors

SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Strict-Transport-Security",
)


def _bind_origin() -> None:
    context.bind(context.RequestOrigin(ip=request.remote_addr, request_id=uuid.uuid4().hex))


def _finish(response: Response) -> BaseResponse:
    if response.status_code >= 500:
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        outage = errors.as_outage(exc)
        if outage is None:
            raise  # Flask answers with its 500 page, which passes here again and commits nothing
        # The database went away at the commit: 503 + Retry-After, with the security headers
        # the response already got (after-request hooks run before this one), never its cookies.
        refused = errors.outage_response(outage)
        for name in SECURITY_HEADERS:
            if name in response.headers and name not in refused.headers:
                refused.headers[name] = response.headers[name]
        return refused
    return response


def _end(exc: BaseException | None) -> None:
    if exc is not None:
        db.session.rollback()
    context.clear()


def init_app(app: Flask) -> None:
    """Register first, so the origin is bound before any other hook runs and the commit is the
    last thing that happens to a response (after-request hooks run in reverse order)."""
    app.before_request(_bind_origin)
    app.after_request(_finish)
    app.teardown_request(_end)
