"""Response headers every page and API answer carries."""

from __future__ import annotations

from flask import Flask, Response, request

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
