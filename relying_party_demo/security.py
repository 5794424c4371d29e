"""Response headers every page and API answer carries, and the CSRF defence of the forms.

Pages send ``Referrer-Policy: no-referrer``, so browsers post the RP's own forms with no Referer
(and ``Origin: null``); Flask-WTF's HTTPS Referer check (``WTF_CSRF_SSL_STRICT``) would refuse
them behind a TLS proxy. It is off, and :class:`SameOriginCSRF` checks instead, after the token:
``Sec-Fetch-Site`` is ``same-origin`` or ``none`` (or absent), and an ``Origin`` other than
``null`` is the RP's own (the request's, or ``GOSID_RP_BASE_URL``'s); else 403 ``RP-110``. The IdP does the same
(``idp/web/csrf.py``; README, "Operating in production").
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request
from flask_wtf import CSRFProtect

from gosid_config.http_guards import cross_site_refusal, origin_of
from relying_party_demo.errors import CrossSiteRequest

CONTENT_SECURITY_POLICY = "default-src 'self'; frame-ancestors 'none'"
NO_STORE_PREFIXES = ("/auth/", "/api/", "/profile", "/card")


def install_security_headers(app: Flask, *, production: bool) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        # The callback URL carries the code and state: never leak it in a Referer.
        response.headers["Referrer-Policy"] = "no-referrer"
        if request.path.startswith(NO_STORE_PREFIXES):
            response.headers["Cache-Control"] = "no-store"
        if production:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response


class SameOriginCSRF(CSRFProtect):
    """Flask-WTF's token check, then the same-origin check of :func:`cross_site_refusal`."""

    def protect(self, apply_exemptions: bool = False) -> None:
        super().protect(apply_exemptions)
        if not g.get("csrf_valid"):  # exempt, or not a state-changing method
            return
        own = {origin_of(request.host_url), origin_of(current_app.config["GOSID_RP_SETTINGS"].base_url)}
        reason = cross_site_refusal(request.headers, own)
        if reason:
            g.csrf_valid = False
            raise CrossSiteRequest(reason)  # 403 RP-110 (a missing or stale token stays RP-109)
