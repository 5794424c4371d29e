"""CSRF on the IdP's forms over HTTPS: the token plus Fetch Metadata and Origin, not the Referer.

Pages send ``Referrer-Policy: no-referrer``, so browsers post our own forms with no Referer and
``Origin: null``; over HTTPS Flask-WTF's strict Referer check refused exactly those (issue 11
§1). A POST with the right token passes when it is same-origin (or carries no Fetch Metadata at
all); one marked same-site or cross-site, or naming a foreign Origin, is refused with 403
CSRF-001 even with a valid token. The browser proof through a real TLS proxy is
``tests/e2e/test_e2e_tls_proxy.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.oidc_client import csrf_token

ISSUER = "https://id.gosid.example"  # the production_app fixture's issuer


def _post_login(app: Any, headers: dict[str, str]) -> Any:
    browser = app.test_client()
    page = browser.get("/login", base_url=ISSUER)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    form = {"csrf_token": csrf_token(page.text), "login": "+79990000001", "password": "not-the-password"}
    return browser.post("/login", data=form, headers=headers, base_url=ISSUER)


def _refused_as_csrf(resp: Any) -> bool:
    return resp.status_code == 403 and "CSRF-001" in resp.text


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin", "Origin": "null"},  # Chromium under no-referrer
        {"Sec-Fetch-Site": "same-origin", "Origin": ISSUER},
        {"Sec-Fetch-Site": "none"},
        {},  # no Fetch Metadata (an older browser): the token alone decides
    ],
    ids=["origin-null", "own-origin", "user-initiated", "no-metadata"],
)
def test_a_same_origin_https_post_without_referer_passes(production_app: Any, headers: dict[str, str]) -> None:
    resp = _post_login(production_app, headers)
    assert not _refused_as_csrf(resp), resp.text[:300]
    assert resp.status_code == 401  # the wrong password was judged: CSRF let it through


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://id.gosid.example"},  # another scheme
    ],
    ids=["cross-site", "same-site", "foreign-origin", "other-scheme"],
)
def test_a_cross_site_post_with_a_valid_token_is_refused(production_app: Any, headers: dict[str, str]) -> None:
    assert _refused_as_csrf(_post_login(production_app, headers))


def test_without_the_token_a_same_origin_post_is_still_refused(production_app: Any) -> None:
    browser = production_app.test_client()
    browser.get("/login", base_url=ISSUER)
    resp = browser.post(
        "/login", data={"login": "+79990000001", "password": "x"}, headers={"Sec-Fetch-Site": "same-origin"},
        base_url=ISSUER,
    )  # fmt: skip
    assert _refused_as_csrf(resp)
