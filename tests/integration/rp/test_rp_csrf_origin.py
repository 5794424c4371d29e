"""The RP's forms: the CSRF token, then Fetch Metadata and ``Origin`` (relying_party_demo/security.py).

A form sent from another site is refused with 403 ``RP-110`` even with a valid token; the RP's
own pages post without a Referer (``Referrer-Policy: no-referrer``), over HTTPS too, and pass."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from relying_party_demo.testing import FakeIdp, csrf_token_from
from tests.integration.rp.helpers import browser_login
from tests.support.rp import Persona


@pytest.fixture
def signed_in(client: FlaskClient, idp: FakeIdp, personas: dict[str, Persona]) -> tuple[FlaskClient, str]:
    """A signed-in browser and a valid CSRF token from one of the RP's pages."""
    browser_login(client, idp, personas["doctor_moscow"])
    return client, csrf_token_from(client.get("/profile").get_data(as_text=True))


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "http://evil.example"},
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost.evil.example"},
    ],
    ids=["cross-site", "same-site", "foreign-origin", "foreign-origin-same-origin-claim"],
)
def test_a_cross_site_post_with_a_valid_token_is_a_403(
    signed_in: tuple[FlaskClient, str], headers: dict[str, str]
) -> None:
    client, token = signed_in
    response = client.post("/auth/logout", data={"csrf_token": token}, headers=headers)
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "RP-110" in page
    assert "Форма отправлена не с этого сайта" in page
    assert client.get("/profile").status_code == 200  # nothing was done: still signed in


@pytest.mark.parametrize(
    ("headers", "base_url"),
    [
        ({"Sec-Fetch-Site": "same-origin", "Origin": "null"}, "http://localhost"),
        ({"Sec-Fetch-Site": "same-origin", "Origin": "null"}, "https://localhost"),  # no Referer over TLS
        ({"Origin": "http://localhost:8001"}, "http://localhost:9000"),  # behind a proxy: the base URL
        ({"Sec-Fetch-Site": "none"}, "http://localhost"),
        ({}, "http://localhost"),  # an old browser without Fetch Metadata
    ],
    ids=["same-origin", "same-origin-https", "base-url-origin", "user-initiated", "no-metadata"],
)
def test_a_same_origin_post_without_referer_passes(
    signed_in: tuple[FlaskClient, str], headers: dict[str, str], base_url: str
) -> None:
    client, token = signed_in
    response = client.post("/auth/logout", data={"csrf_token": token}, headers=headers, base_url=base_url)
    assert "Referer" not in headers
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    assert client.get("/profile").status_code == 401  # signed out


def test_a_same_origin_post_still_needs_the_token(signed_in: tuple[FlaskClient, str]) -> None:
    client, _ = signed_in
    response = client.post("/auth/logout", headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 400
    assert "RP-109" in response.get_data(as_text=True)
