"""Medical cards over the API, under each role and scope, with the regional rules applied."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from relying_party_demo import create_app, inbox
from relying_party_demo.clock import FrozenClock
from relying_party_demo.medical.models import CardEntry
from relying_party_demo.models import ChangeRecord
from relying_party_demo.settings import load_rp_settings
from relying_party_demo.testing import bearer
from tests.integration.rp.helpers import card_id, complete, count
from tests.support.rp import BOTH, CU, RS, Persona, TokenFactory

pytestmark = pytest.mark.parametrize("rp_backend", BOTH, indirect=True)

STRONG = "urn:gosid:acr:strong"
DOCS = "msk_spb_first_login_documents"
IVANOVA, KUZMIN, SMIRNOV = "15821463061", "20578912380", "17251934874"
GASANOV, ABDULLAEVA = "20689123472", "20791234555"
DIAGNOSIS = {"kind": "diagnosis", "icd10": "J06.9", "text": "ОРВИ, лёгкое течение"}


def refusal(response: Any, status: int, reason: str, region: str) -> dict[str, Any]:
    body: dict[str, Any] = response.get_json()
    assert response.status_code == status, body
    assert body["reason"] == reason
    assert body["region"] == region
    assert body["support_contact"] == f"+7 800 000-{region}-{region}, support{region}@egisz.example"
    assert body["what_to_do"]
    return body


def test_patient_reads_only_their_own_card(
    client: FlaskClient, app: Flask, token_for: TokenFactory, personas: dict[str, Persona]
) -> None:
    complete(app, personas["patient_moscow"], DOCS)
    headers = bearer(token_for("patient_moscow"))
    own = client.get(f"/api/cards/{card_id(app, IVANOVA)}", headers=headers)
    assert own.status_code == 200
    card = own.get_json()
    assert card["name"] == "Иванова Мария Сергеевна"
    assert {e["kind"] for e in card["entries"]} >= {"visit", "diagnosis", "test_result", "procedure", "prescription"}
    assert any(e["icd10"] == "J06.9" for e in card["entries"])
    assert card["documents"][0]["type"] == "certificate"
    other = client.get(f"/api/cards/{card_id(app, KUZMIN)}", headers=headers)
    refusal(other, 403, "not_own_record", "77")
    assert client.get("/api/patients", headers=headers).get_json()["patients"][0]["snils"] == IVANOVA


def test_moscow_patient_needs_the_first_login_documents(
    client: FlaskClient, app: Flask, token_for: TokenFactory
) -> None:
    response = client.get(f"/api/cards/{card_id(app, IVANOVA)}", headers=bearer(token_for("patient_moscow")))
    body = refusal(response, 403, "first_login_documents_required", "77")
    assert body["error"] == "access_denied"
    assert "OMS policy" in body["what_to_do"]


def test_doctor_sees_the_patients_of_their_organization_only(
    client: FlaskClient, app: Flask, token_for: TokenFactory
) -> None:
    headers = bearer(token_for("doctor_moscow"))
    listed = client.get("/api/patients", headers=headers).get_json()["patients"]
    assert {p["snils"] for p in listed} == {IVANOVA, KUZMIN}
    assert client.get(f"/api/cards/{card_id(app, KUZMIN)}", headers=headers).status_code == 200
    foreign = client.get(f"/api/cards/{card_id(app, SMIRNOV)}", headers=headers)
    refusal(foreign, 403, "other_organization", "77")


def test_dagestan_doctor_without_certificate_gets_no_cards(
    client: FlaskClient, app: Flask, token_for: TokenFactory
) -> None:
    headers = bearer(token_for("doctor_dagestan"))
    refusal(client.get("/api/patients", headers=headers), 403, "regional_doctor_certificate_missing", "05")
    own_org = client.get(f"/api/cards/{card_id(app, GASANOV)}", headers=headers)
    body = refusal(own_org, 403, "regional_doctor_certificate_missing", "05")
    assert "health ministry" in body["what_to_do"]
    assert client.get("/api/schedules", headers=headers).status_code == 200  # not a card: allowed
    certified = bearer(token_for("doctor_dagestan_certified"))
    assert client.get(f"/api/cards/{card_id(app, ABDULLAEVA)}", headers=certified).status_code == 200


def test_doctor_edit_needs_the_strong_acr_and_says_how_to_step_up(
    client: FlaskClient, app: Flask, token_for: TokenFactory
) -> None:
    url = f"/api/cards/{card_id(app, KUZMIN)}/entries"
    response = client.post(url, json=DIAGNOSIS, headers=bearer(token_for("doctor_moscow", f"{RS} {CU}")))
    body = refusal(response, 401, "step_up_required", "77")
    assert body["error"] == "insufficient_user_authentication"
    assert body["acr_values"] == STRONG
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer error="insufficient_user_authentication"')
    assert f'acr_values="{STRONG}"' in challenge
    assert count(app, CardEntry, author_sub="1000300102") == 0


def test_doctor_edit_with_the_strong_acr_is_recorded_with_jti(
    client: FlaskClient, app: Flask, token_for: TokenFactory
) -> None:
    card = card_id(app, KUZMIN)
    token = token_for("doctor_moscow", f"{RS} {CU}", acr=STRONG, jti="jti-edit-1")
    response = client.post(f"/api/cards/{card}/entries", json=DIAGNOSIS, headers=bearer(token))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert (created["icd10"], created["author_sub"], created["token_jti"]) == ("J06.9", "1000300102", "jti-edit-1")
    assert created["doctor"] == "Петров Алексей Николаевич"
    assert response.headers["Location"].endswith(f"/api/cards/{card}")
    changes = client.get(f"/api/cards/{card}/changes", headers=bearer(token)).get_json()["changes"]
    assert changes[0]["action"] == "card_entry_added"
    assert (changes[0]["actor_sub"], changes[0]["actor_role"], changes[0]["token_jti"]) == (
        "1000300102", "doctor", "jti-edit-1",
    )  # fmt: skip
    assert changes[0]["at"]


def test_new_test_result_reaches_the_patients_inbox(
    client: FlaskClient,
    app: Flask,
    token_for: TokenFactory,
    settings_overrides: dict[str, Any],
    rp_clock: FrozenClock,
) -> None:
    lenient = create_app(
        load_rp_settings(overrides={**settings_overrides, "edit_acr": "urn:gosid:acr:2fa"}, environ={}),
        clock=rp_clock,
    )
    result = {"kind": "test_result", "text": "Биохимия крови", "details": {"test": "Глюкоза", "value": "5.1"}}
    doctor = bearer(token_for("doctor_moscow", f"{RS} {CU}"))
    created = lenient.test_client().post(f"/api/cards/{card_id(app, KUZMIN)}/entries", json=result, headers=doctor)
    assert created.status_code == 201  # with edit_acr = 2fa, a two-factor login may edit
    assert created.get_json()["details"] == {"test": "Глюкоза", "value": "5.1"}
    with app.test_request_context("/api/inbox"):  # the API speaks English
        texts = [inbox.notification_json(n)["text"] for n in inbox.messages_for(KUZMIN)]
    assert "New test result in your card: Глюкоза." in texts


def test_view_scope_alone_can_never_change_anything(
    client: FlaskClient, app: Flask, token_for: TokenFactory, personas: dict[str, Persona]
) -> None:
    complete(app, personas["patient_moscow"], DOCS)
    writes = [
        ("doctor_moscow", "post", f"/api/cards/{card_id(app, KUZMIN)}/entries", DIAGNOSIS),
        ("patient_moscow", "post", "/api/slots/1/appointment", None),
        ("patient_moscow", "post", "/api/appointments/1/cancellation", None),
        ("doctor_moscow", "post", "/api/appointments/1/attendance", {"attended": True}),
        ("registrar_moscow", "post", "/api/schedules", {"doctor_id": 1, "day": "2030-01-01", "start": "09:00",
                                                         "end": "10:00"}),
        ("registrar_moscow", "delete", "/api/slots/1", None),
    ]  # fmt: skip
    before = count(app, ChangeRecord)
    for key, method, url, body in writes:
        token = token_for(key, RS, acr=STRONG)
        response = getattr(client, method)(url, json=body, headers=bearer(token))
        assert response.status_code == 403, (url, response.get_json())
        assert response.get_json()["error"] == "insufficient_scope"
        assert response.headers["WWW-Authenticate"] == 'Bearer error="insufficient_scope", scope="medcard.cu"'
    assert count(app, ChangeRecord) == before


def test_invalid_entries_name_the_field_and_change_nothing(
    client: FlaskClient, app: Flask, token_for: TokenFactory
) -> None:
    url = f"/api/cards/{card_id(app, KUZMIN)}/entries"
    headers = bearer(token_for("doctor_moscow", f"{RS} {CU}", acr=STRONG))
    cases = [
        ({"kind": "visit"}, "text"),
        ({"kind": "x-ray", "text": "t"}, "kind"),
        ({"kind": "diagnosis", "icd10": "flu", "text": "t"}, "icd10"),
        ({"kind": "prescription", "text": "t", "details": {"drug": "Аспирин"}}, "details.dosage"),
        ({"kind": "visit", "text": "t", "occurred_on": "yesterday"}, "occurred_on"),
        ({"kind": "visit", "text": "t", "token_jti": "forged"}, "token_jti"),
    ]
    for body, field in cases:
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == 400, body
        assert response.get_json()["field"] == field
    assert count(app, CardEntry, author_sub="1000300102") == 0
