"""The IdP's session cookie as a test (which knows the app's secret key) reads it."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient
from werkzeug.test import TestResponse


def session_cookie(app: Flask, client: FlaskClient) -> str | None:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return None if cookie is None else str(cookie.value)


def session_data(app: Flask, client: FlaskClient) -> dict[str, Any]:
    """What the signed session cookie carries (the test knows the app's secret key)."""
    raw = session_cookie(app, client)
    if raw is None:
        return {}
    interface = app.session_interface
    assert isinstance(interface, SecureCookieSessionInterface), interface
    serializer = interface.get_signing_serializer(app)
    assert serializer is not None, "the app has no secret key"
    data: dict[str, Any] = serializer.loads(raw)
    return data


def set_cookie_headers(resp: TestResponse) -> list[str]:
    return [str(v) for v in resp.headers.getlist("Set-Cookie")]
