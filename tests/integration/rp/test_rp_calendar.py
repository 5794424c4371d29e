"""The RP's calendar is its injected clock: seeded schedules, reminders and default dates follow
it in each organization's time zone, at every hour of the Moscow day."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from relying_party_demo.clock import FrozenClock, local_date
from relying_party_demo.models import Notification
from relying_party_demo.testing import bearer
from tests.integration.rp.helpers import card_id, complete, count
from tests.support.rp import (
    CU,
    RS,
    Persona,
    TokenFactory,
    at_every_moscow_hour,
    moscow_today,
    on_both_backends,
)

NOVOSIBIRSK_CLINIC = "1.2.643.5.1.13.13.12.2.54.2207"  # Asia/Novosibirsk, Moscow + 4 h
IVANOVA, KUZMIN = "15821463061", "20578912380"
STRONG = "urn:gosid:acr:strong"


def schedule_days(client: FlaskClient, headers: dict[str, str], organization: str) -> list[str]:
    response = client.get("/api/schedules", query_string={"organization": organization}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return [s["day"] for s in response.get_json()["schedules"]]


@at_every_moscow_hour
def test_a_card_entry_without_a_date_is_dated_today_where_the_patient_is(
    client: FlaskClient, app: Flask, token_for: TokenFactory, rp_clock: FrozenClock
) -> None:
    doctor = bearer(token_for("doctor_moscow", f"{RS} {CU}", acr=STRONG))
    entry = {"kind": "diagnosis", "icd10": "J06.9", "text": "ОРВИ, лёгкое течение"}
    created = client.post(f"/api/cards/{card_id(app, KUZMIN)}/entries", json=entry, headers=doctor)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["occurred_on"] == moscow_today(rp_clock).isoformat()  # not the UTC date


@at_every_moscow_hour
def test_seeded_schedules_are_counted_from_the_clock_in_each_organizations_time_zone(
    client: FlaskClient, token_for: TokenFactory, rp_clock: FrozenClock
) -> None:
    headers = bearer(token_for("doctor_dagestan"))
    # Dr Lebedeva works tomorrow and the day after, by Novosibirsk's calendar (already the
    # next day there from 20:00 Moscow time).
    today = local_date(rp_clock.now(), "Asia/Novosibirsk")
    expected = [(today + timedelta(days=n)).isoformat() for n in (1, 2)]
    assert schedule_days(client, headers, NOVOSIBIRSK_CLINIC) == expected


@on_both_backends  # the clock is set relative to the visit, whatever the hour
def test_an_upcoming_visit_is_reminded_once_it_is_within_the_window_of_the_clock(
    client: FlaskClient, app: Flask, token_for: TokenFactory, personas: dict[str, Persona], rp_clock: FrozenClock
) -> None:
    complete(app, personas["patient_moscow"], "msk_spb_first_login_documents")
    patient = bearer(token_for("patient_moscow"))
    visit = _seeded_visit(client, patient)  # tomorrow at 09:30, booked by the seed
    rp_clock.set(visit - timedelta(hours=48, minutes=1))  # the window is 48 hours
    assert _reminders(client, patient) == []
    rp_clock.set(visit - timedelta(hours=47))
    assert len(_reminders(client, patient)) == 1
    rp_clock.set(visit - timedelta(hours=1))
    assert len(_reminders(client, patient)) == 1  # once, not at every read
    assert count(app, Notification, kind="upcoming_visit", recipient_snils=IVANOVA) == 1


def _seeded_visit(client: FlaskClient, headers: dict[str, str]) -> datetime:
    mine = client.get("/api/appointments", headers=headers).get_json()["appointments"]
    return next(datetime.fromisoformat(a["starts_at"]) for a in mine if a["status"] == "booked")


def _reminders(client: FlaskClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    messages = client.get("/api/inbox", headers=headers).get_json()["notifications"]
    return [m for m in messages if m["kind"] == "upcoming_visit"]
