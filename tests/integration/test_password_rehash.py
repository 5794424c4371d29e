"""A stored password hash made with other argon2id parameters is upgraded on the next
successful login (and only then), in the login's own transaction, audited."""

from __future__ import annotations

from typing import Any

from argon2 import extract_parameters
from sqlalchemy import select

from idp.accounts.models import Person
from idp.accounts.passwords import HashParameters, PasswordHashing
from idp.audit.models import AuditEvent
from idp.storage.db import db
from tests.support.flows import password_step

OLD = PasswordHashing(HashParameters(memory_kib=2048, time_cost=3, parallelism=2))


def _store_old_hash(app: Any, oid: int, password: str) -> str:
    with app.app_context():
        person = db.session.get(Person, oid)
        assert person is not None
        person.password_hash = OLD.hash(password)
        db.session.commit()
        return person.password_hash


def _stored(app: Any, oid: int) -> tuple[str, list[str]]:
    with app.app_context():
        person = db.session.get(Person, oid)
        assert person is not None
        query = select(AuditEvent.event).where(AuditEvent.person_oid == oid, AuditEvent.event == "password_rehashed")
        return person.password_hash, list(db.session.scalars(query))


def test_a_login_upgrades_a_hash_made_with_other_parameters(app: Any, client: Any, personas: dict) -> None:
    patient = personas["patient_moscow"]
    old = _store_old_hash(app, patient["oid"], patient["password"])
    assert password_step(client, patient["phone"], patient["password"]).status_code == 303
    upgraded, events = _stored(app, patient["oid"])
    made = extract_parameters(upgraded)
    settings = app.extensions["gosid"].settings
    assert upgraded != old
    assert (made.memory_cost, made.time_cost, made.parallelism) == (
        settings.password_hash_memory_kib,
        settings.password_hash_time_cost,
        settings.password_hash_parallelism,
    )
    assert events == ["password_rehashed"]
    # The next login verifies against the new hash and does not rehash again.
    assert password_step(app.test_client(), patient["phone"], patient["password"]).status_code == 303
    assert _stored(app, patient["oid"]) == (upgraded, ["password_rehashed"])


def test_a_failed_login_leaves_the_old_hash(app: Any, client: Any, personas: dict) -> None:
    patient = personas["patient_moscow"]
    old = _store_old_hash(app, patient["oid"], patient["password"])
    assert password_step(client, patient["phone"], "Wrong-Password-123").status_code == 401
    assert _stored(app, patient["oid"]) == (old, [])


def test_a_disabled_account_keeps_its_old_hash_even_with_the_right_password(
    app: Any, client: Any, personas: dict
) -> None:
    patient = personas["patient_moscow"]
    old = _store_old_hash(app, patient["oid"], patient["password"])
    with app.app_context():
        person = db.session.get(Person, patient["oid"])
        assert person is not None
        person.disabled = True
        db.session.commit()
    assert password_step(client, patient["phone"], patient["password"]).status_code == 401
    assert _stored(app, patient["oid"]) == (old, [])
