"""The demo RP and the IdP end to end over real HTTP: one ``requests.Session`` plays the
browser (cookies for both hosts, every redirect followed)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urljoin

import pytest
import requests

from tests.support.e2e_stack import Stack
from tests.support.http_login import login_at_idp
from tests.support.oidc_client import csrf_token

pytestmark = pytest.mark.e2e

PERSONA = "patient_moscow"
LOGIN_LINK = re.compile(r'<a\b[^>]*href="([^"]*/login)"')
LOGOUT_FORM = re.compile(r'<form\b[^>]*action="([^"]*/logout)"')


def _login_path(home_html: str) -> str:
    """The RP's "sign in with Gosuslugi" link, as a person would click it."""
    found = LOGIN_LINK.search(home_html)
    assert found, "the RP home page has no login link"
    return found.group(1)


def test_rp_login_through_idp_and_logout(stack: Stack, personas: dict[str, dict[str, Any]]) -> None:
    person = personas[PERSONA]
    browser = requests.Session()

    home = browser.get(f"{stack.rp_url}/", timeout=15)
    assert home.status_code == 200
    login_page = browser.get(urljoin(home.url, _login_path(home.text)), timeout=15)
    assert login_page.url.startswith(f"{stack.idp_url}/login"), login_page.url
    assert login_page.history and login_page.history[0].url.startswith(stack.rp_url)

    outcome = login_at_idp(
        browser, login_page, idp_url=stack.idp_url, phone=person["phone"], password=person["password"],
        allow_redirects=True,
    )  # fmt: skip
    landed = outcome.response
    assert landed.status_code == 200, f"{landed.status_code} at {landed.url}: {landed.text[:500]}"
    assert landed.url.startswith(stack.rp_url), landed.url
    callbacks = [r for r in landed.history if r.url.startswith(f"{stack.rp_url}/auth/callback?")]
    assert callbacks, [r.url for r in landed.history]
    assert f"iss={quote(stack.idp_url, safe='')}" in callbacks[0].url
    assert person["surname"] in landed.text
    assert person["name"] in landed.text

    signed_in_cookies = requests.utils.dict_from_cookiejar(browser.cookies)
    profile = browser.get(f"{stack.rp_url}/profile", timeout=15)
    assert profile.status_code == 200 and person["surname"] in profile.text

    # Log out from the RP (a CSRF-protected POST from its page); follow wherever it sends us.
    action = LOGOUT_FORM.search(profile.text)
    assert action, "no logout form on the RP profile page"
    logout = browser.post(
        urljoin(profile.url, action.group(1)), data={"csrf_token": csrf_token(profile.text)}, timeout=15
    )
    assert logout.status_code == 200, f"{logout.status_code} at {logout.url}"
    assert logout.url.rstrip("/") == stack.rp_url, logout.url

    after = browser.get(f"{stack.rp_url}/profile", allow_redirects=False, timeout=15)
    assert after.status_code in (302, 303, 401), after.status_code
    assert person["surname"] not in after.text
    # The old cookie is worthless too: the RP ended the login on its side, not only in the cookie.
    replay = requests.get(f"{stack.rp_url}/profile", cookies=signed_in_cookies, allow_redirects=False, timeout=15)
    assert replay.status_code in (302, 303, 401), replay.status_code
    assert person["surname"] not in replay.text


def test_logging_out_at_the_idp_ends_the_rp_login_via_back_channel(
    stack: Stack, personas: dict[str, dict[str, Any]]
) -> None:
    """The person signs out at Gosuslugi itself; the IdP's logout token ends the RP's login."""
    import time

    person = personas["patient_novosibirsk"]
    browser = requests.Session()
    home = browser.get(f"{stack.rp_url}/", timeout=15)
    login_page = browser.get(urljoin(home.url, _login_path(home.text)), timeout=15)
    outcome = login_at_idp(
        browser, login_page, idp_url=stack.idp_url, phone=person["phone"], password=person["password"],
        allow_redirects=True,
    )  # fmt: skip
    assert outcome.response.url.startswith(stack.rp_url), outcome.response.url
    assert browser.get(f"{stack.rp_url}/profile", allow_redirects=False, timeout=15).status_code == 200

    confirm = browser.get(f"{stack.idp_url}/logout", timeout=15)
    signed_out = browser.post(f"{stack.idp_url}/logout", data={"csrf_token": csrf_token(confirm.text)}, timeout=15)
    assert signed_out.status_code == 200
    deadline = time.monotonic() + 15
    status = 200
    while time.monotonic() < deadline:
        status = browser.get(f"{stack.rp_url}/profile", allow_redirects=False, timeout=15).status_code
        if status != 200:
            break
        time.sleep(0.2)
    assert status in (302, 303, 401), "the RP login survived the IdP logout"
