"""The IdP application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event

from idp.adapters.clock import Clock
from idp.adapters.store import ShortLivedStore
from idp.dev import outbox
from idp.services import build_services
from idp.settings import IdpSettings, load_idp_settings
from idp.storage.db import db
from idp.web import (
    authorize,
    cabinet,
    endpoints,
    errors,
    headers,
    health,
    i18n,
    login,
    proxy,
    register,
    registration_endpoint,
    store_budget,
    unit_of_work,
)
from idp.web import factor_blueprints as factors
from idp.web.csrf import SameOriginCSRF
from idp.web.esia import routes as esia

csrf = SameOriginCSRF()  # the token, then Fetch Metadata and Origin (idp/web/csrf.py)


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {"connect_args": {"check_same_thread": False, "timeout": 30}}
    return {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers proceed while one writer commits; NORMAL sync is safe with WAL.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_app(
    settings: IdpSettings | None = None, *, store: ShortLivedStore | None = None, clock: Clock | None = None
) -> Flask:
    """The IdP app; ``store`` and ``clock`` (default: the system's) let tests bring their own."""
    settings = settings or load_idp_settings()
    app = Flask(__name__)
    url = settings.resolved_database_url()
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_NAME=("__Host-" if settings.production else "") + settings.session_cookie_name,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
        PERMANENT_SESSION_LIFETIME=settings.session_ttl,
        SQLALCHEMY_DATABASE_URI=url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(url),
        WTF_CSRF_TIME_LIMIT=None,
        # its HTTPS Referer check refuses our no-referrer pages' own forms; idp/web/csrf.py replaces it
        WTF_CSRF_SSL_STRICT=False,
        MAX_CONTENT_LENGTH=1024 * 1024,
        GOSID_SETTINGS=settings,
    )
    if url.startswith("sqlite:///"):
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    proxy.init_app(app, hops=settings.trusted_proxy_hops)  # X-Forwarded-* of trusted proxies only
    db.init_app(app)
    unit_of_work.init_app(app)  # first: one commit per request, the audit origin bound
    store_budget.init_app(app, seconds=settings.store_request_budget)  # before any store call
    if url.startswith("sqlite"):
        with app.app_context():
            event.listen(db.engine, "connect", _sqlite_pragmas)
    csrf.init_app(app)
    i18n.init_app(app, default_locale=settings.default_locale)
    app.extensions["gosid"] = build_services(app, settings, store=store, clock=clock)
    # what each server process starts once forked (config/gunicorn.conf.py post_fork)
    app.extensions["post_fork"] = [app.extensions["gosid"].backchannel_worker.ensure_running]
    _register_blueprints(app, settings)
    headers.init_app(app, production=settings.production)
    errors.init_app(app)
    return app


def _register_blueprints(app: Flask, settings: IdpSettings) -> None:
    for bp in (endpoints.bp, authorize.bp, login.bp, register.bp, cabinet.bp, registration_endpoint.bp, health.bp):
        app.register_blueprint(bp)
    csrf.exempt(endpoints.bp)
    csrf.exempt(registration_endpoint.bp)
    factors.init_app(app, settings, csrf)
    esia.init_app(app, csrf)
    if settings.dev_mode:
        app.register_blueprint(outbox.bp)
