"""Who is asking, for the audit log: bound by the web layer at the start of each request.

Domain code never reads ``flask.request``; :func:`idp.audit.log.record` reads this instead.
Outside a request (CLI, background threads) nothing is bound and the IP is empty.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestOrigin:
    """The client's IP and the request's id (for matching log lines)."""

    ip: str | None
    request_id: str


_current: ContextVar[RequestOrigin | None] = ContextVar("gosid_audit_origin", default=None)


def bind(origin: RequestOrigin) -> None:
    _current.set(origin)


def clear() -> None:
    _current.set(None)


def current() -> RequestOrigin | None:
    return _current.get()
