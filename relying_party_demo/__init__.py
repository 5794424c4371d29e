"""Demo EGISZ service: medical cards, appointments and an inbox, with access decided from the
gosid IdP's tokens and regional rules on every request.

It talks to the IdP only over HTTP, like any third-party relying party.
"""

from __future__ import annotations

from flask import Flask

from relying_party_demo import api, auth, web
from relying_party_demo.body_guard import install_body_guard
from relying_party_demo.clock import Clock
from relying_party_demo.database import engine_options, init_database
from relying_party_demo.i18n import init_i18n
from relying_party_demo.ids import RecordIdConverter
from relying_party_demo.inputs import install_input_checks
from relying_party_demo.rendering import install_error_rendering
from relying_party_demo.security import SameOriginCSRF, install_security_headers
from relying_party_demo.services import build_services
from relying_party_demo.settings import RpSettings, load_rp_settings

# Forms and JSON stay small; the OMS policy copy (a PDF) may be up to max_upload_bytes.
FORM_OVERHEAD_BYTES = 64 * 1024


def create_app(settings: RpSettings | None = None, *, clock: Clock | None = None) -> Flask:
    """Build the RP app; without ``settings``, load them from config/rp.toml and GOSID_RP_*.

    ``clock`` is the service's calendar (the system clock unless a test freezes it)."""
    settings = settings or load_rp_settings()
    app = Flask(__name__)
    app.url_map.converters["int"] = RecordIdConverter  # before any route: ids the schema can hold
    app.config.update(_flask_config(settings))
    init_i18n(app, default_locale=settings.default_locale)
    install_body_guard(app)  # before CSRFProtect's hook: an unreadable body is the RP's 400
    csrf = SameOriginCSRF(app)  # the token, then Fetch Metadata and Origin (security.py)
    rp = build_services(app, settings, clock=clock)
    for blueprint in (*web.BLUEPRINTS, auth.bp, *api.BLUEPRINTS):
        app.register_blueprint(blueprint)
    for blueprint in api.BLUEPRINTS:
        csrf.exempt(blueprint)  # bearer tokens, no cookies: CSRF does not apply
    csrf.exempt(auth.backchannel_logout)  # a signed logout token from the IdP, no cookies
    install_error_rendering(app)
    install_input_checks(app)
    install_security_headers(app, production=settings.production)
    init_database(app, settings, now=rp.clock.now)
    return app


def _flask_config(settings: RpSettings) -> dict[str, object]:
    url = settings.resolved_database_url()
    return {
        "SECRET_KEY": settings.secret_key,
        "SESSION_COOKIE_NAME": settings.session_cookie_name,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": settings.base_url.startswith("https://"),
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(url),
        "MAX_CONTENT_LENGTH": settings.max_upload_bytes + FORM_OVERHEAD_BYTES,
        "GOSID_RP_SETTINGS": settings,
        "WTF_CSRF_SSL_STRICT": False,  # refuses our no-referrer pages' own forms; SameOriginCSRF instead
    }


__all__ = ["RpSettings", "create_app", "load_rp_settings"]
