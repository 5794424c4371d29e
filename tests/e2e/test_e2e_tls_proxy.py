"""Production mode behind a TLS-terminating proxy, as an operator runs it (issue 11 §1, §5).

Debian's haproxy terminates TLS (a self-signed certificate made here) in front of the IdP under
gunicorn with ``GOSID_MODE=production`` and ``GOSID_TRUSTED_PROXY_HOPS=1``; SMS codes go
through the real HTTP gateway adapter to a receiver of the test. Debian's Chromium signs a
persona in with password and SMS code and reaches the personal account: the forms' CSRF
defence (token + Fetch Metadata / Origin, docs in README "Operating in production") works
with ``Referrer-Policy: no-referrer``. A valid-token POST marked cross-site, or from a foreign
Origin, is still refused with CSRF-001.

Skipped locally without haproxy or Chromium, a failure under CI=true.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support import backends
from tests.support.backends import require
from tests.support.browser import STEP_TIMEOUT_MS, launched_chromium
from tests.support.oidc_client import csrf_token
from tests.support.servers import GunicornServer, free_port
from tests.support.tls_proxy import (
    Certificate,
    Haproxy,
    SmsGatewayReceiver,
    self_signed_certificate,
    start_production_idp,
    tls_session,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PERSONA = "patient_novosibirsk"


@dataclass
class ProxiedIdp:
    proxy: Haproxy
    idp: GunicornServer
    sms: SmsGatewayReceiver
    certificate: Certificate
    database: Path

    @property
    def url(self) -> str:
        return self.proxy.url


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProxiedIdp]:
    require(backends.haproxy_available(), "Debian haproxy")
    root = tmp_path_factory.mktemp("tls-proxy")
    proxy_port, idp_port = free_port(), free_port()
    with SmsGatewayReceiver(token=secrets.token_urlsafe(16)) as sms:
        idp = start_production_idp(
            root / "idp", port=idp_port, issuer=f"https://127.0.0.1:{proxy_port}",
            sms_gateway_url=sms.url, sms_gateway_token=sms.token, trusted_proxy_hops=1,
        )  # fmt: skip
        certificate = self_signed_certificate(root)
        proxy = Haproxy(root, port=proxy_port, backend_port=idp_port, pem=certificate.pem)
        try:
            proxy.start()
            yield ProxiedIdp(proxy, idp, sms, certificate, root / "idp" / "idp.sqlite3")
        finally:
            proxy.stop()
            idp.stop()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with launched_chromium() as browser:
        yield browser


def test_browser_signs_in_over_tls_in_production_mode(
    proxied: ProxiedIdp, chromium: Any, personas: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    person = personas[PERSONA]
    context = chromium.new_context(locale="ru-RU", ignore_https_errors=True)
    context.set_default_timeout(STEP_TIMEOUT_MS)
    page = context.new_page()
    statuses: list[tuple[int, str]] = []
    page.on("response", lambda r: statuses.append((r.status, r.url)))
    try:
        page.goto(f"{proxied.url}/login")
        assert page.url.startswith("https://")
        page.fill("#login", person["phone"])
        page.fill("#password", person["password"])
        sent = proxied.sms.count()
        page.locator("form[action$='/login'] [type=submit]").click()

        page.wait_for_url(f"{proxied.url}/login/sms")
        page.fill("#code", proxied.sms.code_for(person["phone"], after=sent))
        page.locator("form[action$='/login/sms'] [type=submit]").click()

        page.wait_for_url(f"{proxied.url}/profile")
        expect(page.locator("main")).to_contain_text(person["surname"])
        expect(page.locator("main")).to_contain_text(person["name"])
        assert not [s for s in statuses if s[0] >= 400], statuses
    finally:
        page.screenshot(path=str(tmp_path / "profile-over-tls.png"), full_page=True)
        context.close()


def _login_form(proxied: ProxiedIdp) -> tuple[requests.Session, str]:
    session = tls_session(proxied.certificate)
    page = session.get(f"{proxied.url}/login", timeout=10)
    assert page.status_code == 200, page.text[:300]
    assert page.headers["Referrer-Policy"] == "no-referrer"
    return session, csrf_token(page.text)


def _post_login(proxied: ProxiedIdp, headers: dict[str, str]) -> requests.Response:
    """A password POST with a valid token and cookie (a wrong password), with ``headers``."""
    session, token = _login_form(proxied)
    form = {"csrf_token": token, "login": "+79990000000", "password": "not-the-password"}
    return session.post(f"{proxied.url}/login", data=form, headers=headers, timeout=10, allow_redirects=False)


def _refused_as_csrf(resp: requests.Response) -> bool:
    return resp.status_code == 403 and re.search(r"CSRF-001", resp.text) is not None


def test_a_same_origin_post_without_referer_passes_the_csrf_defence(proxied: ProxiedIdp) -> None:
    same_origin = {"Sec-Fetch-Site": "same-origin", "Origin": "null"}  # what Chromium sends under no-referrer
    assert not _refused_as_csrf(_post_login(proxied, same_origin))
    assert not _refused_as_csrf(_post_login(proxied, {"Origin": proxied.url}))
    assert not _refused_as_csrf(_post_login(proxied, {}))  # no Fetch Metadata: the token alone decides


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "same-origin", "Origin": "https://evil.example"},
    ],
    ids=["cross-site", "same-site", "foreign-origin", "foreign-origin-claiming-same-origin"],
)
def test_a_cross_site_post_with_a_valid_token_is_refused(proxied: ProxiedIdp, headers: dict[str, str]) -> None:
    resp = _post_login(proxied, headers)
    assert _refused_as_csrf(resp), (resp.status_code, resp.text[:300])


def test_the_audit_sees_the_client_the_proxy_saw_not_a_forged_forwarded_for(proxied: ProxiedIdp) -> None:
    """One trusted hop: the address haproxy appends to X-Forwarded-For (this client's, 127.0.0.2)
    is the audit row's; what the client wrote itself in front of it is ignored."""
    session = tls_session(proxied.certificate, source_ip="127.0.0.2")
    page = session.get(f"{proxied.url}/login", timeout=10)
    login = f"+7999{secrets.randbelow(10**7):07d}"
    form = {"csrf_token": csrf_token(page.text), "login": login, "password": "not-the-password"}
    resp = session.post(f"{proxied.url}/login", data=form, headers={"X-Forwarded-For": "203.0.113.7"}, timeout=10)
    assert resp.status_code == 401, resp.text[:300]
    with sqlite3.connect(proxied.database) as db:
        rows = db.execute("SELECT ip, detail FROM audit_event WHERE event = 'login_password'").fetchall()
    assert rows and all(ip != "203.0.113.7" for ip, _ in rows), rows
    assert rows[-1][0] == "127.0.0.2", rows
