"""Inputs the property tests turned up as 5xx, pinned down: a NUL character anywhere (PostgreSQL
text cannot hold it), JSON nested deeper than the parser's recursion limit, digits that
``str.isdigit`` accepts and ``int`` refuses, and an id no key column can hold in a JSON body.
Each is the endpoint's own 400 naming the field (JSON under /api, the error page elsewhere)."""

from __future__ import annotations

import io
import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from relying_party_demo.testing import FakeIdp, csrf_token_from
from tests.integration.rp.helpers import browser_login, card_id
from tests.support import pdfs
from tests.support.rp import BOTH, CU, RS, Persona, TokenFactory

pytestmark = pytest.mark.parametrize("rp_backend", BOTH, indirect=True)

STRONG = "urn:gosid:acr:strong"
KUZMIN = "20578912380"  # a patient of doctor_moscow's polyclinic
NUL_PROBLEM = "must not contain the NUL character"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/organizations?region=7%007", "region"),
        ("/api/organizations?q=%D0%BF%00", "q"),
        ("/api/schedules?organization=%00", "organization"),
        ("/api/organizations/1.2.643%00", "oid"),
    ],
)
def test_nul_in_a_query_or_path_is_a_json_400_on_the_field(
    client: FlaskClient, token_for: TokenFactory, path: str, field: str
) -> None:
    response = client.get(path, headers=bearer(token_for("doctor_moscow")))
    assert response.status_code == 400
    assert response.get_json() == {
        "error": "invalid_request",
        "error_description": f"{field}: {NUL_PROBLEM}",
        "field": field,
    }


def test_nul_in_a_json_string_is_a_400_on_its_key(client: FlaskClient, app: Flask, token_for: TokenFactory) -> None:
    token = token_for("doctor_moscow", f"{RS} {CU}", acr=STRONG)
    body = {"kind": "note", "text": "Жалоб нет\u0000"}
    response = client.post(f"/api/cards/{card_id(app, KUZMIN)}/entries", json=body, headers=bearer(token))
    assert response.status_code == 400
    assert response.get_json()["field"] == "text"


def test_json_nested_beyond_the_parsers_limit_is_a_400(client: FlaskClient, token_for: TokenFactory) -> None:
    token = token_for("registrar_moscow", f"{RS} {CU}", acr=STRONG)
    deep = "[" * 30000 + "]" * 30000
    response = client.post("/api/schedules", data=deep, content_type="application/json", headers=bearer(token))
    assert response.status_code == 400
    assert response.get_json()["field"] == "body"


def test_an_impossible_doctor_id_in_a_json_schedule_is_a_400(client: FlaskClient, token_for: TokenFactory) -> None:
    token = token_for("registrar_moscow", f"{RS} {CU}", acr=STRONG)
    body = {"doctor_id": 10**20, "day": "2027-01-11", "start": "09:00", "end": "12:00", "slot_minutes": 30}
    response = client.post("/api/schedules", data=json.dumps(body), content_type="application/json",
                           headers=bearer(token))  # fmt: skip
    assert response.status_code == 400
    assert response.get_json()["field"] == "doctor_id"


@pytest.fixture
def registrar(client: FlaskClient, idp: FakeIdp, personas: dict[str, Persona]) -> FlaskClient:
    person = personas["registrar_moscow"]
    browser_login(client, idp, person)
    browser_login(client, idp, person, "/auth/elevate", access={"acr": STRONG})
    return client


@pytest.mark.parametrize("field", ["doctor_id", "slot_minutes"])
@pytest.mark.parametrize("digit", ["²", "①"])
def test_digits_int_cannot_read_in_the_schedule_form_are_a_message(
    registrar: FlaskClient, field: str, digit: str
) -> None:
    token = csrf_token_from(registrar.get("/schedules").get_data(as_text=True))
    form = {"doctor_id": "1", "day": "2027-01-11", "start": "09:00", "end": "12:00", "slot_minutes": "30"}
    response = registrar.post("/schedules", data={**form, field: digit, "csrf_token": token})
    assert response.status_code == 303
    assert field in registrar.get(response.headers["Location"]).get_data(as_text=True)


def test_nul_in_a_page_query_is_the_error_page(registrar: FlaskClient) -> None:
    response = registrar.get("/directory?q=%00")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "RP-206" in html and f"q: {NUL_PROBLEM}" in html


def test_nul_in_an_upload_file_name_is_the_error_page(
    client: FlaskClient, idp: FakeIdp, personas: dict[str, Persona]
) -> None:
    browser_login(client, idp, personas["patient_standard_spb"])
    token = csrf_token_from(client.get("/onboarding").get_data(as_text=True))
    data = {
        "csrf_token": token,
        "requirement_id": "msk_spb_first_login_documents",
        "oms_policy": "7852064139785201",
        "confirm_right": "yes",
        "policy_pdf": (io.BytesIO(pdfs.valid_pdf()), "полис\x00.pdf"),
    }
    response = client.post("/onboarding/documents", data=data)
    assert response.status_code == 400
    assert f"policy_pdf: {NUL_PROBLEM}" in response.get_data(as_text=True)
