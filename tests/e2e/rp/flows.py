"""A person using the demo EGISZ service through a plain-HTTP "browser" (``requests``), signing
in at the real IdP: the steps the regional e2e tests share."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

import requests
from joserfc.jwk import ECKey

from relying_party_demo.testing import dpop_proof
from tests.support.e2e_stack import Stack
from tests.support.http_login import authorize_code, basic_auth, is_consent_page, login_at_idp
from tests.support.oidc_client import csrf_token
from tests.support.servers import DEMO_CLIENT_ID, HTTP_TIMEOUT

Persona = dict[str, Any]
CARD_LINK = re.compile(r'href="(/cards/\d+)"')


def sign_in(stack: Stack, person: Persona, path: str = "/auth/login") -> tuple[requests.Session, requests.Response]:
    """Sign in to the RP as ``person``; the browser and the RP page it lands on."""
    browser = requests.Session()
    page = browser.get(f"{stack.rp_url}{path}", timeout=HTTP_TIMEOUT)
    landed = at_idp(stack, browser, page, person)
    return browser, landed


def at_idp(stack: Stack, browser: requests.Session, page: requests.Response, person: Persona) -> requests.Response:
    """Whatever the IdP asks (login, consent), answer it; the page back at the RP."""
    if page.url.split("?")[0] == f"{stack.idp_url}/login":
        outcome = login_at_idp(
            browser, page, idp_url=stack.idp_url, phone=person["phone"], password=person["password"],
            allow_redirects=True,
        )  # fmt: skip
        page = outcome.response
    if is_consent_page(page):
        page = browser.post(page.url, data={"csrf_token": csrf_token(page.text), "decision": "allow"},
                            timeout=HTTP_TIMEOUT)  # fmt: skip
    assert page.url.startswith(stack.rp_url), f"{page.status_code} at {page.url}: {page.text[:300]}"
    return page


def post_form(browser: requests.Session, page: requests.Response, action: str, **fields: str) -> requests.Response:
    """Submit a form of ``page`` (with its CSRF token) to ``action``."""
    data = {"csrf_token": csrf_token(page.text), **fields}
    return browser.post(urljoin(page.url, action), data=data, timeout=HTTP_TIMEOUT)


def first_card(page: requests.Response) -> str:
    found = CARD_LINK.search(page.text)
    assert found, "no card link on the page"
    return found.group(1)


def access_token(stack: Stack, person: Persona, scope: str, *, dpop_key: ECKey | None = None) -> str:
    """An access token for ``person`` from the IdP's code flow, as another client of the API
    (registered as the demo client) would obtain it: only the scopes asked for. With
    ``dpop_key`` the token is bound to that key (RFC 9449, answering the IdP's nonce challenge)."""
    meta = stack.discovery()
    browser = requests.Session()
    result = authorize_code(
        browser, authorization_endpoint=meta["authorization_endpoint"], idp_url=stack.idp_url,
        client_id=DEMO_CLIENT_ID, redirect_uri=stack.redirect_uri, phone=person["phone"],
        password=person["password"], scope=scope,
    )  # fmt: skip
    form = {
        "grant_type": "authorization_code",
        "code": result.params["code"],
        "redirect_uri": stack.redirect_uri,
        "code_verifier": result.request.verifier,
    }
    auth = basic_auth(stack.idp.client_id, stack.idp.client_secret)
    endpoint = meta["token_endpoint"]
    headers = {"DPoP": dpop_proof(dpop_key, "POST", endpoint)} if dpop_key else {}
    response = requests.post(endpoint, data=form, auth=auth, headers=headers, timeout=HTTP_TIMEOUT)
    if dpop_key and response.status_code == 400 and response.json().get("error") == "use_dpop_nonce":
        headers = {"DPoP": dpop_proof(dpop_key, "POST", endpoint, nonce=response.headers["DPoP-Nonce"])}
        response = requests.post(endpoint, data=form, auth=auth, headers=headers, timeout=HTTP_TIMEOUT)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token
