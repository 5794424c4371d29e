"""Schedules, booking, cancelling, attendance and the inbox over the API.

What depends on the time of day runs with the RP's calendar frozen at each of the Moscow hours
(``@at_every_moscow_hour``, SQLite and PostgreSQL); the rest on both backends at the default
instant. The seeded schedules are counted from the frozen clock.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from relying_party_demo.appointments.models import Appointment
from relying_party_demo.clock import FrozenClock
from relying_party_demo.models import Notification
from relying_party_demo.testing import bearer
from tests.integration.rp.helpers import complete, count
from tests.support.rp import (
    CU,
    MOSCOW,
    RS,
    Persona,
    TokenFactory,
    at_every_moscow_hour,
    moscow_today,
    on_both_backends,
)

CLINIC = "1.2.643.5.1.13.13.12.2.77.7831"  # polyclinic no. 12, Moscow
SPB_CLINIC = "1.2.643.5.1.13.13.12.2.78.4402"  # polyclinic no. 51, St Petersburg (Moscow time)
EDIT = f"{RS} {CU}"
DOCS = "msk_spb_first_login_documents"


@pytest.fixture
def patient(app: Flask, token_for: TokenFactory, personas: dict[str, Persona]) -> dict[str, str]:
    """patient_moscow after her first-login documents, with an edit-scope token."""
    complete(app, personas["patient_moscow"], DOCS)
    return bearer(token_for("patient_moscow", EDIT))


def schedules(
    client: FlaskClient, headers: dict[str, str], organization: str = CLINIC, **query: Any
) -> list[dict[str, Any]]:
    response = client.get("/api/schedules", query_string={"organization": organization, **query}, headers=headers)
    assert response.status_code == 200, response.get_json()
    found: list[dict[str, Any]] = response.get_json()["schedules"]
    return found


def free_slots(
    client: FlaskClient, headers: dict[str, str], doctor: str = "Петров", organization: str = CLINIC
) -> list[dict[str, Any]]:
    """The doctor's free slots offered in the coming week, earliest first."""
    found = schedules(client, headers, organization, days=7)
    return [s for d in found if d["doctor"]["name"].startswith(doctor) for s in d["slots"] if s["status"] == "free"]


def free_slot(client: FlaskClient, headers: dict[str, str], clock: FrozenClock, doctor: str = "Петров") -> int:
    tomorrow = (moscow_today(clock) + timedelta(days=1)).isoformat()
    for slot in free_slots(client, headers, doctor):
        if slot["starts_at"][:10] >= tomorrow:
            return int(slot["id"])
    raise AssertionError("no free slot seeded")


def starts(slot: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(slot["starts_at"])


@at_every_moscow_hour
def test_seeded_schedules_have_slots_in_local_time(client: FlaskClient, patient: dict[str, str]) -> None:
    found = schedules(client, patient)
    doctors = {s["doctor"]["name"] for s in found}
    assert {"Петров Алексей Николаевич", "Орлова Наталья Игоревна"} <= doctors
    slot = found[0]["slots"][0]
    assert slot["starts_at"].endswith("+03:00")  # Europe/Moscow
    assert {s["status"] for s in found[0]["slots"]} <= {"free", "booked", "closed"}


@at_every_moscow_hour
def test_slots_whose_time_has_come_are_never_offered(
    client: FlaskClient, patient: dict[str, str], rp_clock: FrozenClock
) -> None:
    now, today = rp_clock.now(), moscow_today(rp_clock)
    yesterday = (today - timedelta(days=1)).isoformat()
    offered = [s for d in schedules(client, patient, CLINIC, days=7, **{"from": yesterday}) for s in d["slots"]]
    assert offered, "no slots at all"
    assert all(starts(s) > now for s in offered), [s["starts_at"] for s in offered if starts(s) <= now]
    # Dr Petrov works 09:00-12:00 today, in 30-minute slots: only those still to come are listed.
    todays = [s["starts_at"][11:16] for s in free_slots(client, patient) if s["starts_at"][:10] == today.isoformat()]
    hours = [time(9, 0), time(9, 30), time(10, 0), time(10, 30), time(11, 0), time(11, 30)]
    ahead = [f"{t:%H:%M}" for t in hours if datetime.combine(today, t, MOSCOW) > now]
    assert todays == [t for t in ahead if t != "09:00"]  # 09:00 is the seeded visit of Kuzmin
    # Tomorrow, even at 23:55 and across the year's end, can be booked.
    assert any(s["starts_at"][:10] == (today + timedelta(days=1)).isoformat() for s in free_slots(client, patient))


@on_both_backends  # the clock is set to the slot's start, whatever the hour
def test_booking_a_slot_whose_time_has_come_is_refused_as_past(
    client: FlaskClient, app: Flask, patient: dict[str, str], rp_clock: FrozenClock
) -> None:
    slot = free_slots(client, patient)[0]
    rp_clock.set(starts(slot))  # the visit begins now
    refused = client.post(f"/api/slots/{slot['id']}/appointment", headers=patient)
    assert refused.status_code == 409
    assert refused.get_json()["error"] == "slot_in_past"  # not "slot_unavailable": nobody took it
    rp_clock.set(starts(slot) - timedelta(seconds=1))
    assert client.post(f"/api/slots/{slot['id']}/appointment", headers=patient).status_code == 201


@at_every_moscow_hour
def test_book_then_the_slot_is_taken_then_cancel_frees_it(
    client: FlaskClient,
    app: Flask,
    patient: dict[str, str],
    token_for: TokenFactory,
    personas: dict[str, Persona],
    rp_clock: FrozenClock,
) -> None:
    slot = free_slot(client, patient, rp_clock)
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


def book(client: FlaskClient, headers: dict[str, str], slot: dict[str, Any]) -> Any:
    return client.post(f"/api/slots/{slot['id']}/appointment", headers=headers)


@at_every_moscow_hour
def test_a_patient_has_at_most_the_limit_of_upcoming_appointments_in_one_organization(
    client: FlaskClient, app: Flask, patient: dict[str, str], rp_clock: FrozenClock
) -> None:
    petrov, orlova = free_slots(client, patient), free_slots(client, patient, "Орлова")
    # She already has the seeded visit tomorrow at 09:30; the default limit is 3.
    first = book(client, patient, petrov[0])
    assert first.status_code == 201
    assert book(client, patient, orlova[0]).status_code == 201
    refused = book(client, patient, petrov[1])
    assert refused.status_code == 409
    body = refused.get_json()
    assert body["error"] == "booking_limit_reached"
    assert "at most 3 upcoming appointments" in body["error_description"]
    assert petrov[1]["id"] in [s["id"] for s in free_slots(client, patient)]  # nothing changed
    assert count(app, Appointment, slot_id=petrov[1]["id"]) == 0
    # Another organization's visits are counted separately.
    assert book(client, patient, free_slots(client, patient, "Волков", SPB_CLINIC)[0]).status_code == 201
    # Cancelling one makes room again.
    client.post(f"/api/appointments/{first.get_json()['id']}/cancellation", headers=patient)
    assert book(client, patient, petrov[1]).status_code == 201
    # A visit whose time has come no longer counts.
    mine = client.get("/api/appointments", headers=patient).get_json()["appointments"]
    upcoming = sorted(starts(a) for a in mine if a["status"] == "booked" and a["organization"]["oid"] == CLINIC)
    assert book(client, patient, petrov[-1]).status_code == 409
    rp_clock.set(upcoming[0])
    assert book(client, patient, petrov[-1]).status_code == 201


@at_every_moscow_hour
def test_inbox_tells_the_patient_about_status_changes(
    client: FlaskClient, app: Flask, patient: dict[str, str], rp_clock: FrozenClock
) -> None:
    slot = free_slot(client, patient, rp_clock)
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


@at_every_moscow_hour
def test_doctor_marks_attendance_in_their_own_schedule_only(
    client: FlaskClient, app: Flask, token_for: TokenFactory, rp_clock: FrozenClock
) -> None:
    doctor = bearer(token_for("doctor_moscow", EDIT))
    mine = client.get("/api/appointments", headers=doctor).get_json()["appointments"]
    today = next(a for a in mine if a["starts_at"][:10] == moscow_today(rp_clock).isoformat())
    assert today["patient"]["name"] == "Кузьмин Олег Викторович"
    tomorrow = next(a for a in mine if a["starts_at"][:10] > moscow_today(rp_clock).isoformat())
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


@at_every_moscow_hour
def test_registrar_manages_the_schedules_of_their_organization(
    client: FlaskClient, app: Flask, token_for: TokenFactory, rp_clock: FrozenClock
) -> None:
    registrar = bearer(token_for("registrar_moscow", EDIT))
    doctor_id = client.get("/api/appointments", headers=bearer(token_for("doctor_moscow")))
    doctor_id = doctor_id.get_json()["appointments"][0]["doctor"]["id"]
    day = (moscow_today(rp_clock) + timedelta(days=10)).isoformat()
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
    yesterday = (moscow_today(rp_clock) - timedelta(days=1)).isoformat()
    past = client.post("/api/schedules", json={**body, "day": yesterday}, headers=registrar)
    assert past.status_code == 409


@on_both_backends
def test_registrar_of_another_organization_is_refused(client: FlaskClient, token_for: TokenFactory) -> None:
    stranger = bearer(token_for("registrar_moscow", EDIT, organization={"oid": "1.2.643.5.1.13.13.12.2.77.7904"}))
    doctor = client.get("/api/appointments", headers=bearer(token_for("doctor_moscow")))
    doctor_id = doctor.get_json()["appointments"][0]["doctor"]["id"]
    body = {"doctor_id": doctor_id, "day": "2031-03-03", "start": "09:00", "end": "10:00"}
    refused = client.post("/api/schedules", json=body, headers=stranger)
    assert refused.status_code == 403
    assert refused.get_json()["reason"] == "other_organization"


@on_both_backends
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


@on_both_backends
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
