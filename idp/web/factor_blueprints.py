"""Registers the login-factor and account-security blueprints (one call from the app factory)."""

from __future__ import annotations

from flask import Flask
from flask_wtf import CSRFProtect

from idp.settings import IdpSettings


def init_app(app: Flask, settings: IdpSettings, csrf: CSRFProtect) -> None:
    from idp.web import security_settings

    app.register_blueprint(security_settings.bp)
