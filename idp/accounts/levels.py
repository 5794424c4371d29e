"""Account levels: simplified (contacts and password) → standard (SNILS and passport checked
against the registry) → confirmed (a bank card with 3-D Secure, a qualified signature, or an
in-person confirmation code). A level is only ever raised one step at a time by its evidence,
which is recorded with the data it confirmed (idp.accounts.verification); a change of that
identity data lowers the account to simplified again (idp.accounts.personal_data)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any, Protocol

import requests
from sqlalchemy import select, update

from idp.accounts.models import AccountLevel, Person
from idp.accounts.security_models import InPersonCode
from idp.accounts.verification import record_verification
from idp.audit import log as audit
from idp.authn import errors as e
from idp.security.hashes import constant_time_equals, secret_digest
from idp.storage.db import db, utcnow

CONFIRMING_EVIDENCE = ("card", "qes", "in_person")


def confirm(person: Person, evidence: str) -> bool:
    """Raise a standard account to confirmed; True if the level changed. A simplified account
    stays simplified: its SNILS and passport must be checked first (the standard level)."""
    assert evidence in CONFIRMING_EVIDENCE
    if person.level != AccountLevel.STANDARD.value:
        return False
    person.level = AccountLevel.CONFIRMED.value
    person.level_evidence = evidence
    record_verification(person, evidence)
    audit.record("account_level_raised", person_oid=person.oid, level="confirmed", evidence=evidence)
    return True


def make_standard(person: Person, evidence: str = "registry") -> bool:
    """Raise a simplified account to standard; its current data is recorded as verified."""
    if person.level != AccountLevel.SIMPLIFIED.value:
        return False
    person.level = AccountLevel.STANDARD.value
    person.level_evidence = evidence
    record_verification(person, evidence)
    audit.record("account_level_raised", person_oid=person.oid, level="standard", evidence=evidence)
    return True


# --- standard: SNILS and passport checked against the registry ---------------------------------

REGISTRY_ERRORS: dict[str, type[e.LevelError]] = {
    "passport_not_found": e.PassportNotFound, "passport_invalid": e.PassportInvalid,
    "snils_mismatch": e.SnilsMismatch, "incomplete": e.ProfileIncomplete,
}  # fmt: skip


class Registry(Protocol):
    def check(self, data: dict[str, Any]) -> str: ...


class HttpRegistry:
    """The registry over HTTP (in dev mode the simulator at ``<acs>/registry``)."""

    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        self.url, self.timeout = url.rstrip("/"), timeout

    def check(self, data: dict[str, Any]) -> str:
        try:
            resp = requests.post(f"{self.url}/check", json=data, timeout=self.timeout)
        except requests.RequestException as exc:
            raise e.RegistryUnavailable() from exc
        if resp.status_code != 200:
            raise e.RegistryUnavailable()
        return str(resp.json().get("result", ""))


def check_documents(person: Person, registry: Registry) -> None:
    """Raise a simplified account to standard when the registry confirms SNILS and passport."""
    if not (person.profile_complete and person.snils):
        raise e.ProfileIncomplete()
    data = {
        "snils": person.snils, "surname": person.surname, "name": person.name, "patronymic": person.patronymic,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "passport_series": person.passport_series, "passport_number": person.passport_number,
    }  # fmt: skip
    result = registry.check(data)
    audit.record("registry_check", result=result or "empty", person_oid=person.oid)
    if result != "valid":
        raise REGISTRY_ERRORS.get(result, e.RegistryUnavailable)()
    make_standard(person)


# --- confirmed: a code given in person at a service centre --------------------------------------

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LIFETIME = timedelta(days=30)


def issue_in_person_code(person_oid: int) -> str:
    """For an operator who has seen the person's passport: a one-time code, 30 days."""
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    db.session.add(InPersonCode(person_oid=person_oid, code_hash=secret_digest(f"{person_oid}:{code}"),
                                expires_at=utcnow() + CODE_LIFETIME))  # fmt: skip
    audit.record("in_person_code_issued", person_oid=person_oid)
    return code


def redeem_in_person_code(person: Person, code: str) -> bool:
    """Use a code (once); raises when it is wrong, used or expired; True if the level rose."""
    candidate = secret_digest(f"{person.oid}:{code.strip().upper().replace('-', '')}")
    query = select(InPersonCode.id, InPersonCode.code_hash).where(
        InPersonCode.person_oid == person.oid, InPersonCode.used_at.is_(None), InPersonCode.expires_at > utcnow()
    )
    matching = [row.id for row in db.session.execute(query).all() if constant_time_equals(row.code_hash, candidate)]
    if not (matching and _consume(matching[0])):
        audit.record("in_person_code_used", result="wrong", person_oid=person.oid)
        raise e.ConfirmationCodeInvalid()
    audit.record("in_person_code_used", person_oid=person.oid)
    if person.level == AccountLevel.SIMPLIFIED.value:
        make_standard(person, "in_person")
    return confirm(person, "in_person")


def _consume(code_id: int) -> bool:
    """Mark the code used if nobody has yet: one conditional UPDATE, so of parallel
    redemptions exactly one changes the row (the others see ``used_at`` set and get 0 rows)."""
    now = utcnow()
    result = db.session.execute(
        update(InPersonCode)
        .where(InPersonCode.id == code_id, InPersonCode.used_at.is_(None), InPersonCode.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1
