"""Seeding the personas' factors: the TOTP seed from personas.toml logs in, the app and the cards
are enrolled (the TOTP seed and card numbers stored protected)."""

from __future__ import annotations

from typing import Any

import pyotp

from tests.integration.factors.helpers import choose, freeze_totp_clock, password, start, submit


def test_seeded_factors(app: Any, client: Any, personas: dict) -> None:
    from idp.factors.models import EnrolledFactor
    from idp.selfservice.seeding import factors_from
    from idp.storage.db import db

    patient = personas["patient_moscow"]
    secret_key = app.extensions["gosid"].settings.secret_key
    with app.app_context():
        db.session.add_all(factors_from(patient, secret_key=secret_key))
        db.session.commit()
        rows = EnrolledFactor.query.filter_by(person_oid=patient["oid"]).all()
        assert sorted(r.kind for r in rows) == ["app", "card", "card", "totp"]
        stored = " ".join(str(r.secret) + str(r.data) for r in rows)
        assert patient["factors"]["totp_secret"] not in stored and "2200000000000012" not in stored
    freeze_totp_clock(app, 1_790_000_000.0)
    start(client)
    password(client, patient)
    page = choose(client, "totp")
    assert page.status_code == 303
    code = pyotp.TOTP(patient["factors"]["totp_secret"]).at(1_790_000_000)
    assert submit(client, "totp", code).status_code == 303
