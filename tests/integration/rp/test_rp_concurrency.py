"""Double booking is impossible: patients racing for one slot, on SQLite and on PostgreSQL; nor
can one patient's parallel bookings get past the limit of upcoming appointments."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from relying_party_demo import create_app
from relying_party_demo.appointments.models import Appointment, Schedule, Slot
from relying_party_demo.clock import FrozenClock
from relying_party_demo.medical.models import Doctor, Organization, Patient
from relying_party_demo.models import db
from relying_party_demo.settings import load_rp_settings
from relying_party_demo.testing import FakeIdp, bearer
from tests.support.rp import BOTH, CU, RS

pytestmark = pytest.mark.parametrize("rp_backend", BOTH, indirect=True)

ROUNDS = 2


def patient_tokens(app: Flask, idp: FakeIdp) -> list[str]:
    """One edit-scope token per seeded patient (region 50: no regional steps in the way)."""
    with app.app_context():
        snils = list(db.session.scalars(select(Patient.snils).order_by(Patient.id)))
    tokens = []
    for n, number in enumerate(snils):
        token = idp.access_token(f"20000000{n:02d}", f"openid snils {RS} {CU}", roles=["patient"], region="50")
        idp.set_userinfo(token, {"snils": number, "snils_verified": True})
        tokens.append(token)
    return tokens


def free_slots(app: Flask, clock: FrozenClock, count: int, organization: str | None = None) -> list[int]:
    """Free slots a day or more ahead of the RP's clock (in ``organization`` if given)."""
    later = clock.now() + timedelta(days=1)
    stmt = select(Slot.id).join(Schedule).join(Doctor).join(Organization).where(Slot.status == "free")
    if organization is not None:
        stmt = stmt.where(Organization.oid == organization)
    with app.app_context():
        return list(db.session.scalars(stmt.where(Slot.starts_at >= later).order_by(Slot.id).limit(count)))


def race(clients: list[FlaskClient], requests: list[tuple[str, str]]) -> list[int]:
    """POST each ``(path, token)`` from its own client at the same moment; the statuses."""
    start = threading.Barrier(len(requests))

    def attempt(i: int) -> int:
        path, token = requests[i]
        start.wait()
        return clients[i].post(path, headers=bearer(token)).status_code

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return sorted(pool.map(attempt, range(len(requests))))


def test_parallel_bookings_of_one_slot_give_exactly_one_appointment(
    app: Flask, idp: FakeIdp, rp_clock: FrozenClock
) -> None:
    tokens = patient_tokens(app, idp)
    clients: list[FlaskClient] = [app.test_client() for _ in tokens]
    for token, client in zip(tokens, clients, strict=True):
        assert client.get("/api/me", headers=bearer(token)).status_code == 200  # linked before the race
    for slot in free_slots(app, rp_clock, ROUNDS):
        statuses = race(clients, [(f"/api/slots/{slot}/appointment", token) for token in tokens])
        assert statuses == [201] + [409] * (len(tokens) - 1), statuses
        with app.app_context():
            live = db.session.scalars(select(Appointment).where(Appointment.slot_id == slot)).all()
            assert len(live) == 1
            assert db.session.get(Slot, slot).status == "booked"  # type: ignore[union-attr]


LIMIT, ATTEMPTS = 2, 6
CLINIC = "1.2.643.5.1.13.13.12.2.77.7831"
NOVOSIBIRSK_PATIENT = "18623705988"  # no seeded visit in the Moscow clinic


def test_one_patients_parallel_bookings_stop_at_the_limit(
    settings_overrides: dict[str, Any], idp: FakeIdp, rp_clock: FrozenClock
) -> None:
    overrides = {**settings_overrides, "upcoming_appointment_limit": LIMIT}
    app = create_app(load_rp_settings(overrides=overrides, environ={}), clock=rp_clock)
    snils = NOVOSIBIRSK_PATIENT
    token = idp.access_token("2000000099", f"openid snils {RS} {CU}", roles=["patient"], region="50")
    idp.set_userinfo(token, {"snils": snils, "snils_verified": True})
    clients = [app.test_client() for _ in range(ATTEMPTS)]
    assert clients[0].get("/api/me", headers=bearer(token)).status_code == 200  # linked before the race
    slots = free_slots(app, rp_clock, ATTEMPTS, organization=CLINIC)
    statuses = race(clients, [(f"/api/slots/{slot}/appointment", token) for slot in slots])
    assert statuses == [201] * LIMIT + [409] * (ATTEMPTS - LIMIT), statuses
    with app.app_context():
        booked = db.session.scalars(select(Appointment).join(Patient).where(Patient.snils == snils)).all()
        assert len(booked) == LIMIT
        free = db.session.scalars(select(Slot).where(Slot.id.in_(slots), Slot.status == "free")).all()
        assert len(free) == ATTEMPTS - LIMIT  # the refused bookings left their slots free
        db.engine.dispose()
