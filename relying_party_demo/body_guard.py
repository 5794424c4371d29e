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

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from flask import Flask, request

from relying_party_demo.errors import UnreadableBody


class _GuardedInput:
    """``wsgi.input`` whose read errors are :class:`UnreadableBody`."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def _call(self, name: str, *args: Any) -> Any:
        try:
            return getattr(self._stream, name)(*args)
        except Exception as exc:  # the server's own parse errors have no common base
            raise UnreadableBody() from exc

    def read(self, *args: Any) -> bytes:
        data: bytes = self._call("read", *args)
        return data

    def readline(self, *args: Any) -> bytes:
        data: bytes = self._call("readline", *args)
        return data

    def readlines(self, *args: Any) -> list[bytes]:
        data: list[bytes] = self._call("readlines", *args)
        return data

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line


def _guarded(wsgi_app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if "wsgi.input" in environ:
            environ["wsgi.input"] = _GuardedInput(environ["wsgi.input"])
        return wsgi_app(environ, start_response)

    return app


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
    app.wsgi_app = _guarded(app.wsgi_app)  # type: ignore[method-assign]
    app.before_request(read_whole_body)
