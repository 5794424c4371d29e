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

from flask import g, request
from flask_wtf import CSRFProtect

from gosid_config.http_guards import cross_site_refusal, origin_of
from idp.services import services


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
