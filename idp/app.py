"""The IdP application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_wtf import CSRFProtect
from sqlalchemy import event

from idp import i18n
from idp.adapters.clock import Clock
from idp.adapters.store import ShortLivedStore
from idp.oidc.backchannel import BackchannelNotifier
from idp.oidc.code_replay import code_replay_revoker
from idp.oidc.server import create_authorization_server
from idp.services import build_services
from idp.settings import IdpSettings, load_idp_settings
from idp.storage.db import db
from idp.web import errors, headers

csrf = CSRFProtect()


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
        MAX_CONTENT_LENGTH=1024 * 1024,
        GOSID_SETTINGS=settings,
    )
    if url.startswith("sqlite:///"):
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    if url.startswith("sqlite"):
        with app.app_context():
            event.listen(db.engine, "connect", _sqlite_pragmas)
    csrf.init_app(app)
    i18n.init_app(app, default_locale=settings.default_locale)
    svc = build_services(settings, store=store, clock=clock)
    app.extensions["gosid"] = svc
    app.extensions["gosid_par"] = svc.pushed
    app.extensions["gosid_backchannel"] = BackchannelNotifier(attempts=settings.backchannel_logout_attempts)
    app.extensions["gosid_oauth"] = create_authorization_server(
        app,
        signer=svc.signer,
        codes=svc.codes,
        refresh=svc.refresh,
        issuer=settings.issuer,
        store=svc.store,
        revoke_code_tokens=code_replay_revoker(codes=svc.codes, refresh=svc.refresh, deny_list=svc.deny_list),
    )
    _register_blueprints(app, settings)
    headers.init_app(app, production=settings.production)
    errors.init_app(app)
    return app


def _register_blueprints(app: Flask, settings: IdpSettings) -> None:
    from idp.web import authorize, cabinet, endpoints, login, register, registration_endpoint

    for bp in (endpoints.bp, authorize.bp, login.bp, register.bp, cabinet.bp, registration_endpoint.bp):
        app.register_blueprint(bp)
    csrf.exempt(endpoints.bp)
    csrf.exempt(registration_endpoint.bp)
    from idp.web.factor_blueprints import init_app as init_factors

    init_factors(app, settings, csrf)
    from idp.web.esia.blueprints import init_app as init_esia

    init_esia(app, settings, app.extensions["gosid"].store, csrf)
    if settings.dev_mode:
        from idp.dev import outbox

        app.register_blueprint(outbox.bp)
