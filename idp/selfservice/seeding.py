"""Seed the test personas from ``config/personas.toml`` (dev mode, first run)."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from idp.accounts.models import AccountLevel, Person
from idp.accounts.passwords import hash_password
from idp.accounts.verification import record_verification
from idp.factors.card import card_label, pan_digest
from idp.factors.models import EnrolledFactor
from idp.factors.secretbox import SecretBox
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
    """The persona's account; a standard or confirmed one with its data recorded as verified
    by the seed (so its claims say what a confirmed account's say)."""
    person = _person(entry)
    if person.level != AccountLevel.SIMPLIFIED.value:
        record_verification(person, "seed")
    return person


def _person(entry: dict[str, Any]) -> Person:
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


def factors_from(entry: dict[str, Any], *, secret_key: str) -> list[EnrolledFactor]:
    """The persona's enrolled factors (``[person.factors]``): a TOTP seed, the app, bank cards."""
    wanted = entry.get("factors") or {}
    oid = int(entry["oid"])
    found: list[EnrolledFactor] = []
    if wanted.get("totp_secret"):
        sealed = SecretBox(secret_key, purpose="totp").seal(str(wanted["totp_secret"]))
        found.append(EnrolledFactor(person_oid=oid, kind="totp", label="Authenticator (test seed)", secret=sealed))
    if wanted.get("app"):
        found.append(EnrolledFactor(person_oid=oid, kind="app", label="Госуслуги (симулятор)"))
    for pan in wanted.get("cards", []):
        data = {"pan_digest": pan_digest(secret_key, pan), "last4": pan[-4:], "bin": pan[:6]}
        found.append(EnrolledFactor(person_oid=oid, kind="card", label=card_label(pan), data=data))
    return found


def seed_personas(path: Path, *, secret_key: str | None = None) -> list[str]:
    """Insert personas that are not there yet, with their enrolled factors when ``secret_key``
    (the server secret that protects TOTP seeds and card digests) is given; returns their keys."""
    added = []
    for entry in load_personas(path):
        if db.session.get(Person, int(entry["oid"])) is None:
            db.session.add(person_from(entry))
            db.session.flush()
            if secret_key:
                db.session.add_all(factors_from(entry, secret_key=secret_key))
            added.append(entry["key"])
    return added
