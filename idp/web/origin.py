"""The current request's :class:`~idp.authn.origin.Origin`, for the domain calls that need it."""

from __future__ import annotations

from flask import request

from idp.authn.origin import Origin


def request_origin() -> Origin:
    return Origin(ip=request.remote_addr or "", user_agent=request.headers.get("User-Agent", ""))
