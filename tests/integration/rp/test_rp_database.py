"""The RP's own Alembic migrations and its demo data, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import create_engine, func, inspect, select

import relying_party_demo.appointments.models  # noqa: F401  (every table on the metadata)
from relying_party_demo import migrate, seeding
from relying_party_demo.appointments.models import Appointment, Schedule
from relying_party_demo.clock import FrozenClock
from relying_party_demo.medical.models import Doctor, Organization, Patient
from relying_party_demo.models import Base, db
from tests.support.rp import BOTH, DEFAULT_INSTANT, REPO, Persona

on_both = pytest.mark.parametrize("rp_backend", BOTH, indirect=True)


@on_both
def test_migrated_schema_matches_the_models(rp_backend: str) -> None:
    engine = create_engine(rp_backend)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        tables = set(inspect(conn).get_table_names())
    engine.dispose()
    # Alembic's own version table is the only table the models do not describe.
    assert [d for d in differences if d[0] != "remove_table" or d[1].name != "rp_alembic_version"] == []
    assert "rp_alembic_version" in tables and "alembic_version" not in tables  # apart from the IdP's


def test_upgrade_is_idempotent_and_downgrade_removes_the_schema(rp_backend: str) -> None:
    # SQLite only: the PostgreSQL test database stays migrated for the other tests.
    migrate.upgrade(rp_backend)  # already at head: nothing to do
    from alembic import command

    command.downgrade(migrate.alembic_config(rp_backend), "base")
    engine = create_engine(rp_backend)
    assert set(inspect(engine).get_table_names()) == {"rp_alembic_version"}
    engine.dispose()


@on_both
def test_seed_links_the_personas_and_runs_again_without_duplicates(
    app: Flask, personas: dict[str, Persona], rp_clock: FrozenClock
) -> None:
    with app.app_context():
        orgs = set(db.session.scalars(select(Organization.oid)))
        doctors = set(db.session.scalars(select(Doctor.snils)))
        patients = set(db.session.scalars(select(Patient.snils)))
        for person in personas.values():
            if "organization_oid" in person:
                assert person["organization_oid"] in orgs, person["key"]
            if "doctor" in person["roles"]:
                assert person["snils"] in doctors, person["key"]
        for key in ("patient_moscow", "patient_sverdlovsk", "patient_novosibirsk", "patient_standard_spb"):
            assert personas[key]["snils"] in patients
        before = [db.session.scalar(select(func.count()).select_from(m)) for m in (Patient, Schedule, Appointment)]
        report = seeding.seed(REPO / "config" / "egisz_seed.toml", now=rp_clock.now())
        after = [db.session.scalar(select(func.count()).select_from(m)) for m in (Patient, Schedule, Appointment)]
        assert (report.patients, report.schedules, report.appointments) == (0, 0, 0)
        assert after == before
        # On a later day the coming days are added, with no new appointments.
        later = seeding.seed(REPO / "config" / "egisz_seed.toml", now=rp_clock.now() + timedelta(days=1))
        assert later.schedules > 0
        assert later.appointments == 0  # their days existed already, with their appointments


def test_cli_init_migrates_and_seeds_from_the_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from relying_party_demo import cli

    monkeypatch.setenv("GOSID_RP_DATABASE_URL", f"sqlite:///{tmp_path / 'rp.sqlite3'}")
    clock = FrozenClock(DEFAULT_INSTANT)  # both runs on one day, wherever the clinics are
    first = CliRunner().invoke(cli.main, ["init"], obj=clock)
    assert first.exit_code == 0, first.output
    assert "8 organizations, 7 doctors, 7 patients" in first.output
    again = CliRunner().invoke(cli.main, ["init"], obj=clock)
    assert "0 organizations, 0 doctors, 0 patients, 0 schedule days, 0 appointments added" in again.output
