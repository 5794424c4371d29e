"""A request body the WSGI server cannot hand over is the client's fault: the RP's own 400.

A malformed ``Transfer-Encoding: chunked`` body (a chunk size such as ``zz``, a missing
terminator) or a connection cut half-way makes the server's input stream raise while the body
is read (gunicorn's ``InvalidChunkSize``, ``NoMoreData``, a socket error; they share no base
class). Unguarded, that surfaces wherever the body is first read (the CSRF check, form or JSON
parsing) as a 500. Here ``wsgi.input`` turns every such error into :class:`UnreadableBody`
(an :class:`RpError`, rendered JSON under /api and the error page elsewhere), and the whole body
of no declared length is read before any other hook or view, within ``MAX_CONTENT_LENGTH``. The IdP does the same in
its own layer (``idp/web/input_guard.py``).
"""

from __future__ import annotations

from flask import Flask, request

from gosid_config.http_guards import guard_wsgi_input
from relying_party_demo.errors import UnreadableBody


def read_whole_body() -> None:
    """Read a body of no declared length (``Transfer-Encoding: chunked``) now, form data parsed
    and the rest cached, so that an unreadable one is refused before the CSRF check or a view
    reads it. A declared ``Content-Length`` is left to the views (an API's JSON limit is its
    own 400 on ``body``; over ``MAX_CONTENT_LENGTH`` is 413): werkzeug reads exactly that much,
    and a read error there is :class:`UnreadableBody` all the same. No route: the routing
    answer stands."""
    if request.routing_exception is None and request.content_length is None:
        request.get_data(parse_form_data=True)


def install_body_guard(app: Flask) -> None:
    """Call before any other ``before_request`` hook that reads the body (CSRFProtect's)."""
    app.wsgi_app = guard_wsgi_input(app.wsgi_app, UnreadableBody)  # type: ignore[method-assign]
    app.before_request(read_whole_body)
