"""Double booking is impossible: patients racing for one slot, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from relying_party_demo.appointments.models import Appointment, Slot
from relying_party_demo.medical.models import Patient
from relying_party_demo.models import db
from relying_party_demo.testing import FakeIdp, bearer
from tests.integration.rp.conftest import BOTH, CU, RS

pytestmark = pytest.mark.parametrize("rp_backend", BOTH, indirect=True)

ROUNDS = 2


def patient_tokens(app: Flask, idp: FakeIdp) -> list[str]:
    """One edit-scope token per seeded patient (region 50: no regional steps in the way)."""
    with app.app_context():
        snils = list(db.session.scalars(select(Patient.snils).order_by(Patient.id)))
    tokens = []
    for n, number in enumerate(snils):
        token = idp.access_token(f"20000000{n:02d}", f"openid snils {RS} {CU}", roles=["patient"], region="50")
        idp.set_userinfo(token, {"snils": number})
        tokens.append(token)
    return tokens


def free_slots(app: Flask, count: int) -> list[int]:
    tomorrow = datetime.now(UTC) + timedelta(days=2)
    with app.app_context():
        stmt = select(Slot.id).where(Slot.status == "free", Slot.starts_at >= tomorrow).order_by(Slot.id).limit(count)
        return list(db.session.scalars(stmt))


def test_parallel_bookings_of_one_slot_give_exactly_one_appointment(app: Flask, idp: FakeIdp) -> None:
    tokens = patient_tokens(app, idp)
    clients: list[FlaskClient] = [app.test_client() for _ in tokens]
    for token, client in zip(tokens, clients, strict=True):
        assert client.get("/api/me", headers=bearer(token)).status_code == 200  # linked before the race
    for slot in free_slots(app, ROUNDS):
        start = threading.Barrier(len(tokens))

        def attempt(i: int, slot: int = slot, start: threading.Barrier = start) -> int:
            start.wait()
            return clients[i].post(f"/api/slots/{slot}/appointment", headers=bearer(tokens[i])).status_code

        with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
            statuses = sorted(pool.map(attempt, range(len(tokens))))
        assert statuses == [201] + [409] * (len(tokens) - 1), statuses
        with app.app_context():
            live = db.session.scalars(select(Appointment).where(Appointment.slot_id == slot)).all()
            assert len(live) == 1
            assert db.session.get(Slot, slot).status == "booked"  # type: ignore[union-attr]
