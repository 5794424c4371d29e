"""The ESIA blueprints: ``esia`` for browsers (CSRF-protected forms) and ``esia_api`` for
machines (token endpoint, person API, certificates; CSRF-exempt)."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_wtf import CSRFProtect

from idp.adapters.store import ShortLivedStore
from idp.esia.runtime import init_runtime
from idp.settings import IdpSettings

bp = Blueprint("esia", __name__)
api = Blueprint("esia_api", __name__)


def init_app(app: Flask, settings: IdpSettings, store: ShortLivedStore, csrf: CSRFProtect) -> None:
    """Build the ESIA runtime and register both blueprints (called from the app factory)."""
    from idp.web.esia import person_api, views, views_api  # noqa: F401  (routes register on import)

    init_runtime(app, settings, store)
    app.register_blueprint(bp)
    app.register_blueprint(api)
    csrf.exempt(api)
