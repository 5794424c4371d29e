"""Schedules, booking, cancelling, attendance and the inbox over the API."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from relying_party_demo.appointments.models import Appointment
from relying_party_demo.models import Notification
from relying_party_demo.testing import bearer
from tests.integration.rp.conftest import BOTH, CU, RS, Persona, TokenFactory
from tests.integration.rp.helpers import complete, count

pytestmark = pytest.mark.parametrize("rp_backend", BOTH, indirect=True)

CLINIC = "1.2.643.5.1.13.13.12.2.77.7831"  # polyclinic no. 12, Moscow
EDIT = f"{RS} {CU}"
DOCS = "msk_spb_first_login_documents"


@pytest.fixture
def patient(app: Flask, token_for: TokenFactory, personas: dict[str, Persona]) -> dict[str, str]:
    """patient_moscow after her first-login documents, with an edit-scope token."""
    complete(app, personas["patient_moscow"], DOCS)
    return bearer(token_for("patient_moscow", EDIT))


def moscow_today() -> date:
    """Today where the seeded clinic is: its schedule days are counted in its time zone."""
    return datetime.now(ZoneInfo("Europe/Moscow")).date()


def schedules(client: FlaskClient, headers: dict[str, str], **query: Any) -> list[dict[str, Any]]:
    response = client.get("/api/schedules", query_string={"organization": CLINIC, **query}, headers=headers)
    assert response.status_code == 200, response.get_json()
    found: list[dict[str, Any]] = response.get_json()["schedules"]
    return found


def free_slot(client: FlaskClient, headers: dict[str, str], doctor: str = "Петров") -> int:
    tomorrow = (moscow_today() + timedelta(days=1)).isoformat()
    for schedule in schedules(client, headers, **{"from": tomorrow}):
        if schedule["doctor"]["name"].startswith(doctor):
            return int(next(s["id"] for s in schedule["slots"] if s["status"] == "free"))
    raise AssertionError("no free slot seeded")


def test_seeded_schedules_have_slots_in_local_time(client: FlaskClient, patient: dict[str, str]) -> None:
    found = schedules(client, patient)
    doctors = {s["doctor"]["name"] for s in found}
    assert {"Петров Алексей Николаевич", "Орлова Наталья Игоревна"} <= doctors
    slot = found[0]["slots"][0]
    assert slot["starts_at"].endswith("+03:00")  # Europe/Moscow
    assert {s["status"] for s in found[0]["slots"]} <= {"free", "booked", "closed"}


def test_book_then_the_slot_is_taken_then_cancel_frees_it(
    client: FlaskClient, app: Flask, patient: dict[str, str], token_for: TokenFactory, personas: dict[str, Persona]
) -> None:
    slot = free_slot(client, patient)
    booked = client.post(f"/api/slots/{slot}/appointment", headers=patient)
    assert booked.status_code == 201, booked.get_json()
    appointment = booked.get_json()
    assert appointment["status"] == "booked"
    assert appointment["patient"]["name"] == "Иванова Мария Сергеевна"
    assert client.get(booked.headers["Location"], headers=patient).get_json()["id"] == appointment["id"]

    complete(app, personas["patient_sverdlovsk"], "ufd_sibfd_data_transfer_consent")
    again = client.post(f"/api/slots/{slot}/appointment", headers=bearer(token_for("patient_sverdlovsk", EDIT)))
    assert again.status_code == 409
    twice = client.post(f"/api/slots/{slot}/appointment", headers=patient)
    assert twice.status_code == 409
    assert twice.get_json()["error"] == "slot_unavailable"

    cancelled = client.post(f"/api/appointments/{appointment['id']}/cancellation", headers=patient)
    assert cancelled.get_json()["status"] == "cancelled"
    assert client.post(f"/api/appointments/{appointment['id']}/cancellation", headers=patient).status_code == 409
    assert client.post(f"/api/slots/{slot}/appointment", headers=patient).status_code == 201
    assert count(app, Appointment, slot_id=slot) == 2  # one cancelled, one live


def test_inbox_tells_the_patient_about_status_changes(
    client: FlaskClient, app: Flask, patient: dict[str, str], token_for: TokenFactory
) -> None:
    slot = free_slot(client, patient)
    appointment = client.post(f"/api/slots/{slot}/appointment", headers=patient).get_json()
    client.post(f"/api/appointments/{appointment['id']}/cancellation", headers=patient)
    messages = client.get("/api/inbox", headers=patient).get_json()["notifications"]
    changes = [m for m in messages if m["kind"] != "upcoming_visit"]
    assert [m["kind"] for m in changes] == ["appointment_cancelled", "appointment_booked"]
    assert changes[0]["text"].startswith("Appointment cancelled: Петров Алексей Николаевич")
    kinds = [m["kind"] for m in messages]
    # The seeded visit tomorrow morning is an upcoming visit: reminded once, not on every read.
    assert kinds.count("upcoming_visit") == 1
    client.get("/api/inbox", headers=patient)
    assert count(app, Notification, kind="upcoming_visit", recipient_snils="15821463061") == 1


def test_doctor_marks_attendance_in_their_own_schedule_only(
    client: FlaskClient, app: Flask, token_for: TokenFactory
) -> None:
    doctor = bearer(token_for("doctor_moscow", EDIT))
    mine = client.get("/api/appointments", headers=doctor).get_json()["appointments"]
    today = next(a for a in mine if a["starts_at"][:10] == moscow_today().isoformat())
    assert today["patient"]["name"] == "Кузьмин Олег Викторович"
    tomorrow = next(a for a in mine if a["starts_at"][:10] > moscow_today().isoformat())
    early = client.post(f"/api/appointments/{tomorrow['id']}/attendance", json={"attended": True}, headers=doctor)
    assert early.status_code == 409  # not before the visit's day
    bad = client.post(f"/api/appointments/{today['id']}/attendance", json={"attended": "yes"}, headers=doctor)
    assert bad.get_json()["field"] == "attended"
    done = client.post(f"/api/appointments/{today['id']}/attendance", json={"attended": True}, headers=doctor)
    assert done.get_json()["status"] == "attended"
    colleague = bearer(token_for("doctor_moscow", EDIT, roles=["doctor"]))  # same person: fine
    assert client.get(f"/api/appointments/{today['id']}", headers=colleague).status_code == 200
    registrar = bearer(token_for("registrar_moscow", EDIT))
    refused = client.post(f"/api/appointments/{today['id']}/attendance", json={"attended": False}, headers=registrar)
    assert refused.get_json()["reason"] == "role_not_allowed"
    assert count(app, Notification, kind="appointment_attended", recipient_snils="20578912380") == 1


def test_registrar_manages_the_schedules_of_their_organization(
    client: FlaskClient, app: Flask, token_for: TokenFactory
) -> None:
    registrar = bearer(token_for("registrar_moscow", EDIT))
    doctor_id = client.get("/api/appointments", headers=bearer(token_for("doctor_moscow")))
    doctor_id = doctor_id.get_json()["appointments"][0]["doctor"]["id"]
    day = (moscow_today() + timedelta(days=10)).isoformat()
    body = {"doctor_id": doctor_id, "day": day, "start": "13:00", "end": "14:00", "slot_minutes": 20}
    created = client.post("/api/schedules", json=body, headers=registrar)
    assert created.status_code == 201, created.get_json()
    slots = created.get_json()["slots"]
    assert [s["starts_at"][11:16] for s in slots] == ["13:00", "13:20", "13:40"]
    overlap = client.post("/api/schedules", json={**body, "start": "13:30", "end": "15:00"}, headers=registrar)
    assert overlap.status_code == 409
    withdrawn = client.delete(f"/api/slots/{slots[0]['id']}", headers=registrar)
    assert withdrawn.get_json()["status"] == "closed"
    assert client.delete(f"/api/slots/{slots[0]['id']}", headers=registrar).status_code == 409
    past = client.post("/api/schedules", json={**body, "day": "2020-01-01"}, headers=registrar)
    assert past.status_code == 409


def test_registrar_of_another_organization_is_refused(client: FlaskClient, token_for: TokenFactory) -> None:
    stranger = bearer(token_for("registrar_moscow", EDIT, organization={"oid": "1.2.643.5.1.13.13.12.2.77.7904"}))
    doctor = client.get("/api/appointments", headers=bearer(token_for("doctor_moscow")))
    doctor_id = doctor.get_json()["appointments"][0]["doctor"]["id"]
    body = {"doctor_id": doctor_id, "day": "2031-03-03", "start": "09:00", "end": "10:00"}
    refused = client.post("/api/schedules", json=body, headers=stranger)
    assert refused.status_code == 403
    assert refused.get_json()["reason"] == "other_organization"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"doctor_id": "x", "day": "2031-01-01", "start": "09:00", "end": "10:00"}, "doctor_id"),
        ({"doctor_id": 1, "day": "someday", "start": "09:00", "end": "10:00"}, "day"),
        ({"doctor_id": 1, "day": "2031-01-01", "start": "9am", "end": "10:00"}, "start"),
        ({"doctor_id": 1, "day": "2031-01-01", "start": "10:00", "end": "09:00"}, "end"),
        ({"doctor_id": 1, "day": "2031-01-01", "start": "09:00", "end": "10:00", "slot_minutes": 1}, "slot_minutes"),
        ({"doctor_id": 99999, "day": "2031-01-01", "start": "09:00", "end": "10:00"}, "doctor_id"),
    ],
)
def test_schedule_input_errors_name_the_field(
    client: FlaskClient, token_for: TokenFactory, body: dict[str, Any], field: str
) -> None:
    response = client.post("/api/schedules", json=body, headers=bearer(token_for("registrar_moscow", EDIT)))
    assert response.status_code == 400
    assert response.get_json()["field"] == field


def test_directory_search_by_code_and_name(client: FlaskClient, token_for: TokenFactory) -> None:
    headers = bearer(token_for("doctor_dagestan"))

    def codes(**query: str) -> list[str]:
        found = client.get("/api/organizations", query_string=query, headers=headers).get_json()
        return [o["code"] for o in found["organizations"]]

    assert codes(q="7700") == ["770012", "770031"]
    assert codes(q="ДЕРБЕНТ") == ["050187"]  # any case, Cyrillic too
    assert codes(q="поликлиника", region="05") == ["050003"]
    assert codes(q="100%") == []
    one = client.get("/api/organizations/1.2.643.5.1.13.13.12.2.66.3310", headers=headers).get_json()
    assert one["timezone"] == "Asia/Yekaterinburg"
    assert client.get("/api/organizations/1.2.3", headers=headers).status_code == 404
