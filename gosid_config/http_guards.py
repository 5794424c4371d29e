"""HTTP guards both apps apply in their own layer (the IdP and the demo RP never import each other).

- :func:`cross_site_refusal`: the same-origin half of the CSRF defence (Fetch Metadata and
  ``Origin``), used after Flask-WTF's token check; every page sends ``Referrer-Policy: no-referrer``,
  so a browser posts our own forms with no ``Referer`` and ``Origin: null``.
- :func:`guard_wsgi_input`: a request body the WSGI server cannot hand over (malformed chunks, a cut
  connection: gunicorn's errors share no base class) raises the app's own 400 error instead of a 500.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Any, Protocol
from urllib.parse import urlsplit

ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})


class _Headers(Protocol):
    def get(self, key: str) -> str | None: ...


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def cross_site_refusal(headers: _Headers, own_origins: Collection[str]) -> str | None:
    """Why a state-changing request with these headers comes from another site, or None:
    ``Sec-Fetch-Site`` must be ``same-origin`` or ``none`` (or absent), and an ``Origin`` other
    than ``null`` must be one of ``own_origins``."""
    site = headers.get("Sec-Fetch-Site")
    if site is not None and site.lower() not in ALLOWED_FETCH_SITES:
        return f"Sec-Fetch-Site is {site!r}, not same-origin."
    origin = headers.get("Origin")
    if origin is not None and origin != "null" and origin_of(origin) not in own_origins:
        return "The Origin header names another site."
    return None


class _GuardedInput:
    """``wsgi.input`` whose read errors become ``unreadable()`` (the client's fault, not ours)."""

    def __init__(self, stream: Any, unreadable: Callable[[], Exception]) -> None:
        self._stream, self._unreadable = stream, unreadable

    def _call(self, name: str, *args: Any) -> Any:
        try:
            return getattr(self._stream, name)(*args)
        except Exception as exc:  # the server's own parse errors have no common base
            raise self._unreadable() from exc

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


def guard_wsgi_input(
    wsgi_app: Callable[..., Iterable[bytes]], unreadable: Callable[[], Exception]
) -> Callable[..., Iterable[bytes]]:
    """``wsgi_app`` with its request body stream guarded (see the module's docstring)."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if "wsgi.input" in environ:
            environ["wsgi.input"] = _GuardedInput(environ["wsgi.input"], unreadable)
        return wsgi_app(environ, start_response)

    return app
