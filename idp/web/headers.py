"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, Response

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def init_app(app: Flask, *, production: bool) -> None:
    @app.after_request
    def _secure(response: Response) -> Response:
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("X-Content-Type-Options", "nosniff")
        # Codes and tokens travel in URLs of these pages; never leak them via Referer.
        h.setdefault("Referrer-Policy", "no-referrer")
        if response.mimetype == "text/html":
            h.setdefault("Cache-Control", "no-store")
        if production:
            h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
