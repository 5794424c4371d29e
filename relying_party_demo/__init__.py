"""Demo EGISZ service: electronic medical cards, logging people in through the gosid IdP.

It talks to the IdP only over HTTP, like any third-party relying party.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from relying_party_demo import api, auth, web
from relying_party_demo.i18n import init_i18n
from relying_party_demo.models import db
from relying_party_demo.rendering import install_error_rendering
from relying_party_demo.security import install_security_headers
from relying_party_demo.services import build_services
from relying_party_demo.settings import RpSettings, load_rp_settings

MAX_REQUEST_BYTES = 64 * 1024


def create_app(settings: RpSettings | None = None) -> Flask:
    """Build the RP app; without ``settings``, load them from config/rp.toml and GOSID_RP_*."""
    settings = settings or load_rp_settings()
    app = Flask(__name__)
    app.config.update(_flask_config(settings))
    init_i18n(app, default_locale=settings.default_locale)
    db.init_app(app)
    csrf = CSRFProtect(app)
    build_services(app, settings)
    app.register_blueprint(web.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # bearer tokens, no cookies: CSRF does not apply
    install_error_rendering(app)
    install_security_headers(app, production=settings.production)
    with app.app_context():
        _prepare_database(settings)
        db.create_all()
    return app


def _flask_config(settings: RpSettings) -> dict[str, object]:
    return {
        "SECRET_KEY": settings.secret_key,
        "SESSION_COOKIE_NAME": settings.session_cookie_name,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": settings.base_url.startswith("https://"),
        "SQLALCHEMY_DATABASE_URI": settings.resolved_database_url(),
        "MAX_CONTENT_LENGTH": MAX_REQUEST_BYTES,
        "GOSID_RP_SETTINGS": settings,
    }


def _prepare_database(settings: RpSettings) -> None:
    url = settings.resolved_database_url()
    prefix = "sqlite:///"
    if url.startswith(prefix) and ":memory:" not in url:
        Path(url[len(prefix) :]).parent.mkdir(parents=True, exist_ok=True)


__all__ = ["RpSettings", "create_app", "load_rp_settings"]
