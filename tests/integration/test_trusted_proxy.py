"""``GOSID_TRUSTED_PROXY_HOPS``: X-Forwarded-* believed from that many proxies, and only then.

With one trusted hop the client address of limits and audit rows is the last X-Forwarded-For
value and ``X-Forwarded-Proto: https`` makes the request secure; with 0 (the default) a client's
own forwarded headers change nothing. Through a real haproxy: ``tests/e2e/test_e2e_tls_proxy.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask, request

from idp.settings import IdpSettings
from tests.support.apps import seeded_app
from tests.support.audit_log import audit_events
from tests.support.oidc_client import csrf_token


@pytest.fixture(params=[0, 1], ids=["hops-0", "hops-1"])
def proxied_app(
    request: pytest.FixtureRequest, settings: IdpSettings, persona_rows: list[dict[str, Any]]
) -> Iterator[Flask]:
    yield from seeded_app(replace(settings, trusted_proxy_hops=request.param), persona_rows)


def test_the_audit_row_has_the_forwarded_client_ip_only_behind_a_trusted_proxy(proxied_app: Flask) -> None:
    hops = proxied_app.config["GOSID_SETTINGS"].trusted_proxy_hops
    browser = proxied_app.test_client()
    page = browser.get("/login")
    form = {"csrf_token": csrf_token(page.text), "login": "+79990000002", "password": "not-the-password"}
    resp = browser.post("/login", data=form, headers={"X-Forwarded-For": "198.51.100.9, 203.0.113.7"})
    assert resp.status_code == 401
    (row,) = audit_events(proxied_app, "login_password")
    assert row.ip == ("203.0.113.7" if hops else "127.0.0.1")


def test_forwarded_proto_makes_the_request_secure_only_behind_a_trusted_proxy(proxied_app: Flask) -> None:
    hops = proxied_app.config["GOSID_SETTINGS"].trusted_proxy_hops
    seen: dict[str, Any] = {}

    @proxied_app.before_request
    def _look() -> None:
        seen.update(secure=request.is_secure, host=request.host)

    proxied_app.test_client().get("/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "id.example"})
    assert seen == ({"secure": True, "host": "id.example"} if hops else {"secure": False, "host": "localhost"})
