"""The ESIA surface registered on the app: both blueprints with the routes of its view modules."""

from __future__ import annotations

from flask import Flask
from flask_wtf import CSRFProtect

from idp.web.esia import person_api, views, views_api
from idp.web.esia.blueprints import api, bp

VIEW_MODULES = (views, views_api, person_api)  # each adds its routes to ``bp`` or ``api`` on import


def init_app(app: Flask, csrf: CSRFProtect) -> None:
    """Register the browser blueprint and the CSRF-exempt machine one (called from the app factory)."""
    app.register_blueprint(bp)
    app.register_blueprint(api)
    csrf.exempt(api)
