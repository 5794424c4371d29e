"""Security checklist items 36 and 37 for the demo RP, and the RP halves of 14, 15, 33 and 35.

Everything goes through the RP's real routes: the browser login through ``/auth/callback``
against the loopback :class:`~relying_party_demo.testing.FakeIdp` (which signs whatever ID
token a test asks for), the API through ``/api/...`` with tokens the FakeIdp mints. The RP's
fixtures (``idp``, ``app``, ``client``, ``token_for`` ...) are imported from the RP
integration suite, so they replace the IdP's fixtures of the same name in this module.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from joserfc.jwk import ECKey

from relying_party_demo.jwks import UNKNOWN_KID_COOLDOWN_SECONDS, HttpJwksFetcher
from relying_party_demo.services import EXTENSION_KEY
from relying_party_demo.testing import FakeIdp, ManualClock, bearer, generate_signing_key, sign
from tests.integration.rp import conftest as rp_fixtures
from tests.integration.rp.helpers import persona_userinfo, start_login
from tests.support.rp import CU, RS, TokenFactory

# The demo RP's fixtures, bound here so that pytest finds them for this module (and prefers them
# to the IdP's ``app``, ``client``, ``settings`` and ``personas`` from tests/conftest.py).
app = rp_fixtures.app
client = rp_fixtures.client
idp = rp_fixtures.idp
personas = rp_fixtures.personas
rp_backend = rp_fixtures.rp_backend
rp_clock = rp_fixtures.rp_clock
rp_sqlite_template = rp_fixtures.rp_sqlite_template
rsa_key = rp_fixtures.rsa_key
settings = rp_fixtures.settings
settings_overrides = rp_fixtures.settings_overrides
token_for = rp_fixtures.token_for

PATIENT = "patient_sverdlovsk"  # any persona: the RP must refuse before looking at who it is
ME = "/api/me"


def _callback(client: FlaskClient, idp: FakeIdp, person: dict[str, Any], **id_token: Any) -> Any:
    """A whole browser login whose ID token carries ``id_token`` overrides; the callback's answer."""
    request = start_login(client)
    grant = idp.grant_for(
        request,
        str(person["oid"]),
        userinfo=persona_userinfo(person),
        access_token_overrides={"roles": list(person["roles"]), "region": person["region_code"]},
        id_token_overrides=id_token,
    )
    code = idp.approve(grant)
    return client.get("/auth/callback", query_string={"code": code, "state": request["state"], "iss": idp.issuer})


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/profile").status_code == 200


def _refused_login_page(resp: Any, client: FlaskClient, code: str = "RP-106") -> str:
    """The callback refused the login: an HTML error page naming ``code``, nobody signed in."""
    html = str(resp.get_data(as_text=True))
    assert resp.status_code == 400, (resp.status_code, resp.headers.get("Location"), html[:300])
    assert "Location" not in resp.headers
    assert resp.mimetype == "text/html"
    assert code in html, html[:500]
    assert resp.headers["Referrer-Policy"] == "no-referrer"
    assert not _signed_in(client), "the refused login left the person signed in"
    return html


# --- 36: ID token validation at the callback ---------------------------------------------------


@pytest.mark.checklist(36)
def test_a_valid_id_token_signs_the_person_in(client: FlaskClient, idp: FakeIdp, personas: dict[str, Any]) -> None:
    """The baseline the refusals below differ from by one claim each (and an audience list
    with this client as ``azp`` is fine, OIDC Core §3.1.3.7 items 3-5)."""
    resp = _callback(client, idp, personas[PATIENT])
    assert resp.status_code == 303, resp.get_data(as_text=True)[:300]
    assert _signed_in(client)
    other = client.application.test_client()
    resp = _callback(other, idp, personas[PATIENT], aud=[idp.client_id, "another-service"], azp=idp.client_id)
    assert resp.status_code == 303, resp.get_data(as_text=True)[:300]
    assert _signed_in(other)


@pytest.mark.checklist(36)
@pytest.mark.parametrize(
    ("claims", "named"),
    [
        ({"iss": "https://evil.example"}, "iss"),
        ({"iss": "http://127.0.0.1:1"}, "iss"),  # another issuer on the same host
    ],
)
def test_id_token_with_wrong_iss_is_refused(
    client: FlaskClient, idp: FakeIdp, personas: dict[str, Any], claims: dict[str, Any], named: str
) -> None:
    html = _refused_login_page(_callback(client, idp, personas[PATIENT], **claims), client)
    assert named in html
    assert idp.requests["/token"] == 1  # the code was redeemed: this is the ID token check


@pytest.mark.checklist(36)
@pytest.mark.parametrize("aud", ["another-service", ["another-service", "third-service"], []])
def test_id_token_whose_aud_lacks_the_client_id_is_refused(
    client: FlaskClient, idp: FakeIdp, personas: dict[str, Any], aud: Any
) -> None:
    html = _refused_login_page(_callback(client, idp, personas[PATIENT], aud=aud), client)
    assert "another client" in html


@pytest.mark.checklist(36)
def test_id_token_with_several_audiences_and_no_azp_is_refused(
    client: FlaskClient, idp: FakeIdp, personas: dict[str, Any]
) -> None:
    resp = _callback(client, idp, personas[PATIENT], aud=[idp.client_id, "another-service"])
    assert "azp" in _refused_login_page(resp, client)
    # ... and an azp naming someone else does not rescue it
    resp = _callback(client, idp, personas[PATIENT], aud=[idp.client_id, "another-service"], azp="another-service")
    assert "azp" in _refused_login_page(resp, client)


@pytest.mark.checklist(36)
@pytest.mark.parametrize("nonce", ["someone-elses-nonce", "", None])
def test_id_token_with_a_nonce_mismatch_is_refused(
    client: FlaskClient, idp: FakeIdp, personas: dict[str, Any], nonce: str | None
) -> None:
    resp = _callback(client, idp, personas[PATIENT], nonce=nonce)
    assert "nonce" in _refused_login_page(resp, client)


@pytest.mark.checklist(36)
def test_id_token_from_another_login_of_the_same_browser_is_refused(
    client: FlaskClient, idp: FakeIdp, personas: dict[str, Any]
) -> None:
    """A nonce that *was* valid, for the browser's earlier login attempt, is still a mismatch."""
    first = start_login(client)
    second = start_login(client)  # the person started again; only the newest attempt counts
    assert first["nonce"] != second["nonce"]
    person = personas[PATIENT]
    grant = idp.grant_for(second, str(person["oid"]), userinfo=persona_userinfo(person), id_token_overrides={
        "nonce": first["nonce"]})  # fmt: skip
    code = idp.approve(grant)
    resp = client.get("/auth/callback", query_string={"code": code, "state": second["state"], "iss": idp.issuer})
    assert "nonce" in _refused_login_page(resp, client)


# --- 37: scopes and where the token may be ----------------------------------------------------


@pytest.mark.checklist(37)
def test_token_lacking_the_required_scope_is_403_insufficient_scope(
    client: FlaskClient, app: Flask, token_for: TokenFactory
) -> None:
    reads = [("get", "/api/patients", None), ("get", "/api/cards/1", None)]
    writes = [("post", "/api/cards/1/entries", {"kind": "visit", "text": "осмотр"}),
              ("post", "/api/slots/1/appointment", None)]  # fmt: skip
    no_scope = token_for("doctor_moscow", "", acr="urn:gosid:acr:strong")  # the person scopes only
    view_only = token_for("doctor_moscow", RS, acr="urn:gosid:acr:strong")
    for token, calls, scope in ((no_scope, reads, RS), (view_only, writes, CU)):
        for method, url, body in calls:
            resp = getattr(client, method)(url, json=body, headers=bearer(token))
            assert resp.status_code == 403, (url, resp.status_code, resp.get_json())
            assert resp.get_json()["error"] == "insufficient_scope", (url, resp.get_json())
            assert resp.get_json()["scope"] == scope
            assert resp.headers["WWW-Authenticate"] == f'Bearer error="insufficient_scope", scope="{scope}"', url
    # the same calls with the scope are not refused for the scope
    full = token_for("doctor_moscow", f"{RS} {CU}", acr="urn:gosid:acr:strong")
    assert client.get("/api/patients", headers=bearer(full)).status_code == 200


@pytest.mark.checklist(37)
def test_token_in_the_query_string_or_form_body_is_refused(client: FlaskClient, token_for: TokenFactory) -> None:
    token = token_for("patient_moscow")
    assert client.get(ME, headers=bearer(token)).status_code == 200  # the same token, in the header
    for headers in ({}, bearer(token)):
        resp = client.get(f"{ME}?access_token={token}", headers=headers)
        assert resp.status_code == 400, resp.get_json()
        assert resp.get_json()["error"] == "invalid_request"
        assert resp.headers["WWW-Authenticate"].startswith('Bearer error="invalid_request"')
    form = client.post("/api/slots/1/appointment", data={"access_token": token})
    assert form.status_code == 400 and form.get_json()["error"] == "invalid_request"


# --- 33 (RP half): unknown kid, keys named in the header -------------------------------------------


@pytest.mark.checklist(33)
def test_rp_unknown_kid_refetches_jwks_at_most_once_per_cooldown_then_refuses(
    client: FlaskClient, app: Flask, idp: FakeIdp, token_for: TokenFactory
) -> None:
    clock = ManualClock()
    fetcher = app.extensions[EXTENSION_KEY].access_tokens._keys
    assert isinstance(fetcher, HttpJwksFetcher)
    fetcher._clock = clock  # the cooldown's clock, moved by hand instead of waiting 30 s
    assert client.get(ME, headers=bearer(token_for("patient_moscow"))).status_code == 200
    assert idp.requests["/jwks"] == 1

    # The IdP rotates in a new key: the first token signed with it costs one refetch and passes.
    clock.advance(UNKNOWN_KID_COOLDOWN_SECONDS + 1)
    rotated = generate_signing_key("RS256", "rsa-2")
    idp.keys.append(rotated)
    assert client.get(ME, headers=bearer(idp.access_token("1000300101", RS, key=rotated))).status_code == 200
    assert idp.requests["/jwks"] == 2

    # A flood of made-up kids within the cooldown: each refused, no fetch at all.
    for n in range(5):
        junk = idp.access_token("1000300101", RS, key=generate_signing_key("ES256", f"made-up-{n}"))
        resp = client.get(ME, headers=bearer(junk))
        assert resp.status_code == 401 and resp.get_json()["error"] == "invalid_token"
    assert idp.requests["/jwks"] == 2

    # After the cooldown: exactly one more fetch, and the kid is still unknown, so refused.
    clock.advance(UNKNOWN_KID_COOLDOWN_SECONDS + 1)
    stranger = generate_signing_key("RS256", "never-published")
    for _ in range(3):
        resp = client.get(ME, headers=bearer(idp.access_token("1000300101", RS, key=stranger)))
        assert resp.status_code == 401 and "never-published" in resp.get_json()["error_description"]
    assert idp.requests["/jwks"] == 3


@pytest.mark.checklist(33)
def test_rp_ignores_keys_named_in_the_token_header(client: FlaskClient, idp: FakeIdp) -> None:
    attacker = ECKey.generate_key("P-256", parameters={"kid": "attacker"}, private=True)
    claims = idp.access_token_claims("1000300101", f"openid {RS}")
    public = dict(attacker.as_dict(private=False))
    for header in (
        {"jwk": public},
        {"jku": "https://evil.example/jwks.json"},
        {"x5u": "https://evil.example/cert.pem"},
        {"jwk": public, "kid": idp.keys[0].kid},  # a known kid, the attacker's key embedded
    ):
        token = sign(claims, attacker, typ="at+jwt", alg="ES256", **header)
        resp = client.get(ME, headers=bearer(token))
        assert resp.status_code == 401, header
        assert resp.get_json()["error"] == "invalid_token"


# --- 35 (RP half): an ID token is not an access token -------------------------------------------


@pytest.mark.checklist(35)
def test_rp_api_refuses_an_id_token_presented_as_access_token(
    client: FlaskClient, idp: FakeIdp, personas: dict[str, Any]
) -> None:
    person = personas[PATIENT]
    request = start_login(client)
    grant = idp.grant_for(request, str(person["oid"]))
    id_token = idp.id_token(grant, access_token="unused")  # signed by the IdP's real key, aud = this client
    resp = client.get(ME, headers=bearer(id_token))
    assert resp.status_code == 401, resp.get_json()
    assert resp.get_json()["error"] == "invalid_token"
    assert resp.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')
    # the same claims with an access token's scope still fail on the typ
    lookalike = sign({**idp.access_token_claims(str(person["oid"]), f"openid {RS}")}, idp.keys[0], typ="JWT")
    assert client.get(ME, headers=bearer(lookalike)).status_code == 401


@pytest.mark.checklist(35)
def test_rp_api_refuses_an_access_token_for_another_audience(client: FlaskClient, idp: FakeIdp) -> None:
    now = int(time.time())
    for aud in ("another-service", ["another-service"], "http://localhost:8001/"):
        token = idp.access_token("1000300101", RS, aud=aud, iat=now)
        resp = client.get(ME, headers=bearer(token))
        assert resp.status_code == 401, (aud, resp.get_json())
        assert resp.get_json()["error"] == "invalid_token"


# --- 14 and 15 (RP half): the callback page ---------------------------------------------------


@pytest.mark.checklist(15)
def test_rp_callback_sends_no_referrer_and_loads_no_third_party_resources(
    client: FlaskClient, idp: FakeIdp, personas: dict[str, Any]
) -> None:
    refused = _callback(client, idp, personas[PATIENT], nonce="wrong")
    success = _callback(client, idp, personas[PATIENT])
    assert success.status_code == 303
    for resp in (refused, success):
        assert resp.headers["Referrer-Policy"] == "no-referrer"
        assert resp.headers["Cache-Control"] == "no-store"
    html = refused.get_data(as_text=True)
    loaded = re.findall(
        r'<(?:script|img|iframe|link|source|video|audio|embed|object)\b[^>]*?(?:src|href|data)="([^"]+)"', html
    )
    assert loaded, "the page loads its own stylesheet at least"
    third_party = [u for u in loaded if urlsplit(u).netloc not in ("", "localhost:8001")]
    assert third_party == [], third_party
    assert "default-src 'self'" in refused.headers["Content-Security-Policy"]


@pytest.mark.checklist(14)
def test_rp_callback_page_cannot_be_framed(client: FlaskClient, idp: FakeIdp, personas: dict[str, Any]) -> None:
    resp = _callback(client, idp, personas[PATIENT], aud="another-service")
    assert resp.status_code == 400
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert "Access-Control-Allow-Origin" not in resp.headers
