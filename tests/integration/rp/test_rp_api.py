"""The card API with access tokens minted here and verified against a loopback JWKS."""

from __future__ import annotations

import time

from flask import Flask
from flask.testing import FlaskClient

from relying_party_demo.cards import find_card
from relying_party_demo.testing import FakeIdp, bearer, sign

PATIENT_OID = "1000000001"
OTHER_OID = "1000000002"
CARD_URL = f"/api/cards/{PATIENT_OID}"
ENTRIES_URL = f"{CARD_URL}/entries"
ENTRY = {"kind": "diagnosis", "icd10": "J06.9", "text": "ОРВИ, лёгкое течение"}


def test_read_own_card_with_rs(client: FlaskClient, idp: FakeIdp) -> None:
    response = client.get(CARD_URL, headers=bearer(idp.access_token(PATIENT_OID, "medcard.rs")))
    assert response.status_code == 200
    body = response.get_json()
    assert body["patient_oid"] == int(PATIENT_OID)
    # The card is opened on first use with one seeded demo entry.
    assert [e["kind"] for e in body["entries"]] == ["visit"]
    assert response.headers["Cache-Control"] == "no-store"


def test_no_token_gets_a_bare_bearer_challenge(client: FlaskClient) -> None:
    response = client.get(CARD_URL)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="egisz-demo"'


def test_other_scheme_gets_a_bare_bearer_challenge(client: FlaskClient) -> None:
    response = client.get(CARD_URL, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="egisz-demo"'


def test_invalid_token_is_401_invalid_token(client: FlaskClient) -> None:
    response = client.get(CARD_URL, headers=bearer("not-a-jwt"))
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_token"
    assert response.get_json()["error_description"]
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer error="invalid_token", error_description="')


def test_expired_token_is_401(client: FlaskClient, idp: FakeIdp) -> None:
    now = int(time.time())
    token = idp.access_token(PATIENT_OID, "medcard.rs", iat=now - 900, exp=now - 300)
    response = client.get(CARD_URL, headers=bearer(token))
    assert response.status_code == 401
    assert "expired" in response.get_json()["error_description"]


def test_token_for_another_audience_is_401(client: FlaskClient, idp: FakeIdp) -> None:
    token = idp.access_token(PATIENT_OID, "medcard.rs", aud="another-service")
    assert client.get(CARD_URL, headers=bearer(token)).status_code == 401


def test_id_token_is_not_an_access_token(client: FlaskClient, idp: FakeIdp) -> None:
    claims = idp.access_token_claims(PATIENT_OID, "medcard.rs")
    token = sign(claims, idp.keys[0], typ="JWT")
    assert client.get(CARD_URL, headers=bearer(token)).status_code == 401


def test_write_with_only_rs_is_403_insufficient_scope(client: FlaskClient, idp: FakeIdp) -> None:
    token = idp.access_token(PATIENT_OID, "openid medcard.rs")
    response = client.post(ENTRIES_URL, json=ENTRY, headers=bearer(token))
    assert response.status_code == 403
    assert response.get_json()["error"] == "insufficient_scope"
    assert response.get_json()["scope"] == "medcard.cu"
    assert response.headers["WWW-Authenticate"] == ('Bearer error="insufficient_scope", scope="medcard.cu"')


def test_read_with_only_cu_is_403_insufficient_scope(client: FlaskClient, idp: FakeIdp) -> None:
    response = client.get(CARD_URL, headers=bearer(idp.access_token(PATIENT_OID, "medcard.cu")))
    assert response.status_code == 403
    assert response.get_json()["scope"] == "medcard.rs"


def test_write_with_cu_creates_the_entry(client: FlaskClient, idp: FakeIdp) -> None:
    token = idp.access_token(PATIENT_OID, "medcard.rs medcard.cu", jti="jti-write-1")
    response = client.post(ENTRIES_URL, json=ENTRY, headers=bearer(token))
    assert response.status_code == 201
    created = response.get_json()
    assert created["kind"] == "diagnosis"
    assert created["icd10"] == "J06.9"
    assert created["text"] == ENTRY["text"]
    assert created["author_sub"] == PATIENT_OID
    assert created["token_jti"] == "jti-write-1"
    assert response.headers["Location"].endswith(CARD_URL)

    card = client.get(CARD_URL, headers=bearer(token)).get_json()
    assert [e["id"] for e in card["entries"]][-1] == created["id"]


def test_other_persons_card_is_403_access_denied(client: FlaskClient, idp: FakeIdp, app: Flask) -> None:
    token = idp.access_token(PATIENT_OID, "medcard.rs medcard.cu")
    read = client.get(f"/api/cards/{OTHER_OID}", headers=bearer(token))
    write = client.post(f"/api/cards/{OTHER_OID}/entries", json=ENTRY, headers=bearer(token))
    for response in (read, write):
        assert response.status_code == 403
        assert response.get_json()["error"] == "access_denied"
        assert "WWW-Authenticate" not in response.headers
    with app.app_context():
        assert find_card(int(OTHER_OID)) is None  # a refused request changes nothing


def test_token_in_query_is_400_invalid_request(client: FlaskClient, idp: FakeIdp) -> None:
    token = idp.access_token(PATIENT_OID, "medcard.rs")
    for headers in ({}, bearer(token)):
        response = client.get(f"{CARD_URL}?access_token={token}", headers=headers)
        assert response.status_code == 400
        assert response.get_json()["error"] == "invalid_request"


def test_malformed_json_body_is_400_naming_the_field(client: FlaskClient, idp: FakeIdp) -> None:
    headers = bearer(idp.access_token(PATIENT_OID, "medcard.cu"))
    response = client.post(ENTRIES_URL, data='{"kind": "visit",', content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_request"
    assert response.get_json()["field"] == "body"


def test_invalid_fields_are_named(client: FlaskClient, idp: FakeIdp, app: Flask) -> None:
    headers = bearer(idp.access_token(PATIENT_OID, "medcard.rs medcard.cu"))
    cases = [
        ({"kind": "visit"}, "text"),
        ({"kind": "x-ray", "text": "t"}, "kind"),
        ({"kind": "diagnosis", "icd10": "flu", "text": "t"}, "icd10"),
        ({"kind": "visit", "text": "t", "token_jti": "forged"}, "token_jti"),
    ]
    for body, field in cases:
        response = client.post(ENTRIES_URL, json=body, headers=headers)
        assert response.status_code == 400, body
        assert response.get_json()["field"] == field
        assert response.get_json()["error_description"].startswith(f"{field}:")
    card = client.get(CARD_URL, headers=headers).get_json()
    assert len(card["entries"]) == 1  # only the seeded entry


def test_form_encoded_body_is_refused(client: FlaskClient, idp: FakeIdp) -> None:
    headers = bearer(idp.access_token(PATIENT_OID, "medcard.cu"))
    response = client.post(ENTRIES_URL, data={"kind": "visit", "text": "t"}, headers=headers)
    assert response.status_code == 400
    assert response.get_json()["field"] == "body"


def test_unknown_api_path_answers_json(client: FlaskClient) -> None:
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_idp_unreachable_is_503_json(client: FlaskClient, idp: FakeIdp) -> None:
    token = idp.access_token(PATIENT_OID, "medcard.rs")
    idp.stop()  # the IdP goes away before the RP fetched its keys
    response = client.get(CARD_URL, headers=bearer(token))
    assert response.status_code == 503
    assert response.get_json()["error"] == "temporarily_unavailable"
