"""Registers the login-factor and account-security blueprints (one call from the app factory)."""

from __future__ import annotations

from flask import Flask
from flask_wtf import CSRFProtect

from idp.dev import app_simulator
from idp.settings import IdpSettings
from idp.web import (
    account_level,
    card,
    email_link,
    password_reset,
    security_settings,
    sessions_page,
    signature,
    webauthn,
)


def init_app(app: Flask, settings: IdpSettings, csrf: CSRFProtect) -> None:
    app.register_blueprint(security_settings.bp)
    app.register_blueprint(email_link.bp)
    app.register_blueprint(webauthn.bp)
    app.register_blueprint(password_reset.bp)
    app.register_blueprint(sessions_page.bp)
    app.register_blueprint(card.bp)
    app.register_blueprint(signature.bp)
    app.register_blueprint(account_level.bp)
    csrf.exempt(card.notify)  # posted by the bank's page; the result is signed and bound to its transaction
    if settings.dev_mode:
        app.register_blueprint(app_simulator.bp)
        csrf.exempt(app_simulator.bp)  # the simulated phone is not a browser form of this site
