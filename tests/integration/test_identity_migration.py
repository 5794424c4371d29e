"""Migration 0007 (identity verification records) on SQLite and PostgreSQL: the person table
matches the model, and accounts that were already standard or confirmed stay verified."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from tests.support.backends import PG_ADMIN_URL, backend_param, postgres_available, require


@pytest.fixture(params=[backend_param("sqlite"), backend_param("postgres")])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'idp.sqlite3'}"
        return
    require(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    name = f"gosid_mig_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _insert_person(url: str, oid: int, level: str, evidence: str | None) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO person (oid, surname, name, birth_date, snils, passport_series, passport_number,"
                " phone, phone_verified, email_verified, password_hash, level, roles, regional_doctor_certificate,"
                " disabled, level_evidence, created_at, updated_at) VALUES (:oid, 'Иванова', 'Мария', :birth,"
                " :snils, '4505', '318264', :phone, true, false, 'x', :level, '[]', false, false, :evidence,"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"oid": oid, "birth": date(1985, 3, 14), "snils": f"{oid % 10**11:011d}",
             "phone": f"+7916{oid % 10**7:07d}", "level": level, "evidence": evidence},
        )  # fmt: skip
    engine.dispose()


def test_existing_levels_are_recorded_as_verified_and_the_schema_matches_the_model(empty_database: str) -> None:
    from idp.accounts import verification
    from idp.accounts.models import Person
    from idp.storage.db import db
    from idp.storage.migrate import upgrade

    upgrade(empty_database, "0005")
    _insert_person(empty_database, 1000000001, "confirmed", "card")
    _insert_person(empty_database, 1000000002, "standard", None)
    _insert_person(empty_database, 1000000003, "simplified", None)
    upgrade(empty_database)
    engine = create_engine(empty_database)
    with engine.connect() as conn:
        only_person = {"include_object": lambda obj, name, kind, reflected, other: kind != "table" or name == "person"}
        differences = compare_metadata(MigrationContext.configure(conn, opts=only_person), db.metadata)
        rows = conn.execute(text("SELECT oid, verification_evidence, verified_snapshot FROM person ORDER BY oid"))
        found = {row[0]: (row[1], row[2]) for row in rows}
    engine.dispose()
    assert differences == []
    expected = Person(surname="Иванова", name="Мария", birth_date=date(1985, 3, 14), passport_series="4505",
                      passport_number="318264", snils=f"{1000000001 % 10**11:011d}")  # fmt: skip
    card, snapshot = _json(found[1000000001][0]), _json(found[1000000001][1])
    assert [e["method"] for e in card] == ["card"] and snapshot == verification.snapshot(expected)
    assert [e["method"] for e in _json(found[1000000002][0])] == ["legacy"]
    assert found[1000000003] == (None, None)


def _json(value: object) -> Any:
    import json

    return json.loads(value) if isinstance(value, str) else value
