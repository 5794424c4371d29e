"""Seed the test personas from ``config/personas.toml`` (dev mode, first run)."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from idp.accounts.models import Person
from idp.accounts.passwords import hash_password
from idp.storage.db import db


def load_personas(path: Path) -> list[dict[str, Any]]:
    with path.open("rb") as fh:
        personas: list[dict[str, Any]] = tomllib.load(fh).get("person", [])
    return personas


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def person_from(entry: dict[str, Any]) -> Person:
    return Person(
        oid=int(entry["oid"]),
        surname=entry.get("surname"),
        name=entry.get("name"),
        patronymic=entry.get("patronymic"),
        birth_date=_date(entry.get("birth_date")),
        gender=entry.get("gender"),
        snils=entry.get("snils"),
        inn=entry.get("inn"),
        passport_series=entry.get("passport_series"),
        passport_number=entry.get("passport_number"),
        passport_issue_date=_date(entry.get("passport_issue_date")),
        passport_issued_by=entry.get("passport_issued_by"),
        oms_policy=entry.get("oms_policy"),
        phone=entry["phone"],
        phone_verified=True,
        email=entry.get("email"),
        email_verified=bool(entry.get("email")),
        password_hash=hash_password(entry["password"]),
        region_code=entry.get("region_code"),
        address=entry.get("address"),
        level=entry.get("level", "simplified"),
        roles=list(entry.get("roles", [])),
        organization_oid=entry.get("organization_oid"),
        organization_name=entry.get("organization_name"),
        specialty=entry.get("specialty"),
        regional_doctor_certificate=bool(entry.get("regional_doctor_certificate", False)),
    )


def seed_personas(path: Path) -> list[str]:
    """Insert personas that are not there yet; returns the keys of those added."""
    added = []
    for entry in load_personas(path):
        if db.session.get(Person, int(entry["oid"])) is None:
            db.session.add(person_from(entry))
            added.append(entry["key"])
    db.session.commit()
    return added
