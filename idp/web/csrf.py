"""CSRF defence of the IdP's forms: the session-bound token plus Fetch Metadata and Origin.

Every page sends ``Referrer-Policy: no-referrer`` (codes and tokens travel in URLs), so a
browser posts our own forms with no ``Referer`` and, per the Fetch standard, ``Origin: null``.
Flask-WTF's HTTPS Referer check (``WTF_CSRF_SSL_STRICT``) would refuse every such POST once the
request is HTTPS; it is off, and this replaces it, on every request the token is checked on:

- the token (Flask-WTF, unchanged): the form must carry the token of this browser's session;
- ``Sec-Fetch-Site`` (sent by every current browser, not settable by a page): ``same-origin``
  or ``none`` (the person's own action); ``same-site`` and ``cross-site`` are refused;
- ``Origin``, when a browser names one: ours (the request's scheme and host, or the issuer's);
  ``null`` (what no-referrer makes of our own forms) is left to the two checks above.

A refusal is Flask-WTF's ``CSRFError``, rendered as 403 CSRF-001 (``idp/web/errors.py``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from urllib.parse import urlsplit

from flask import g, request
from flask_wtf import CSRFProtect
from werkzeug.datastructures import Headers

from idp.services import services

ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def cross_site_refusal(headers: Headers | Mapping[str, str], own_origins: Collection[str]) -> str | None:
    """Why a state-changing request with these headers comes from another site, or None."""
    site = headers.get("Sec-Fetch-Site")
    if site is not None and site.lower() not in ALLOWED_FETCH_SITES:
        return f"Sec-Fetch-Site is {site!r}, not same-origin."
    origin = headers.get("Origin")
    if origin is not None and origin != "null" and origin_of(origin) not in own_origins:
        return "The Origin header names another site."
    return None


class SameOriginCSRF(CSRFProtect):
    """Flask-WTF's token check, then the same-origin check of :func:`cross_site_refusal`."""

    def protect(self, apply_exemptions: bool = False) -> None:
        super().protect(apply_exemptions)
        if not g.get("csrf_valid"):  # exempt, or not a state-changing method
            return
        own = {origin_of(request.host_url), origin_of(services().settings.issuer)}
        reason = cross_site_refusal(request.headers, own)
        if reason:
            g.csrf_valid = False
            self._error_response(reason)
