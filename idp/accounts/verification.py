"""The identity verification of an account: how and when its data was confirmed, and which data.

The account level (:mod:`idp.accounts.levels`) says how far the identity was confirmed; this
module keeps the evidence behind it on the person row: the methods that confirmed the data
(registry check, bank card, qualified signature, in-person code), when, and a digest of each
field as it was then. A field counts as verified only while the account is at least standard
and the field still has the value that was confirmed, so a later change shows as unverified
even before the level is lowered. Claims (OIDC ``verified_claims``, ``snils_verified``) and the
ESIA person API (``vrfStu``, ``trusted``) read it from here.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from idp.accounts.models import AccountLevel, Person
from idp.storage.db import utcnow

# Identity data a confirmation checks: changing any of it lowers the account to simplified.
IDENTITY_FIELDS = (
    "surname",
    "name",
    "patronymic",
    "birth_date",
    "gender",
    "snils",
    "passport_series",
    "passport_number",
    "passport_issue_date",
)
# Recorded with the identity, but changing them keeps the level; only they become unverified.
DOCUMENT_FIELDS = ("passport_issued_by", "oms_policy")
SNAPSHOT_FIELDS = IDENTITY_FIELDS + DOCUMENT_FIELDS
PASSPORT_FIELDS = ("passport_series", "passport_number", "passport_issue_date")
# How each confirming method is called where it is stored and shown ("seed": test personas,
# "legacy": accounts confirmed before verification records existed, see migration 0007).
METHODS = ("registry", "card", "qes", "in_person", "seed", "legacy")


def _digest(field: str, value: object) -> str:
    text = value.isoformat() if isinstance(value, date | datetime) else ("" if value is None else str(value))
    return hashlib.sha256(f"{field}\x1f{text}".encode()).hexdigest()


def snapshot(person: Person) -> dict[str, str]:
    """A digest of each identity field as it is now (values themselves are not duplicated)."""
    return {field: _digest(field, getattr(person, field)) for field in SNAPSHOT_FIELDS}


def record_verification(person: Person, method: str, *, at: datetime | None = None) -> None:
    """Note that ``method`` has confirmed the person's current data (the caller commits).

    Evidence accumulates while the data stays the same (a registry check, later a bank card);
    a verification of different data starts a new record."""
    assert method in METHODS, method
    when = at or utcnow()
    current = snapshot(person)
    kept = list(person.verification_evidence or []) if person.verified_snapshot == current else []
    person.verification_evidence = [*kept, {"method": method, "time": when.isoformat()}]
    person.verified_snapshot = current
    person.verified_at = when


def clear_verification(person: Person) -> None:
    """Forget the verification (the data it confirmed changed; the caller lowers the level)."""
    person.verified_snapshot = None
    person.verification_evidence = []
    person.verified_at = None


def verified_fields(person: Person) -> frozenset[str]:
    """The fields whose current, non-empty value is the one a verification confirmed; none
    below the standard level."""
    recorded = person.verified_snapshot or {}
    if person.level == AccountLevel.SIMPLIFIED.value or not recorded:
        return frozenset()
    current = snapshot(person)
    return frozenset(
        field
        for field, digest in recorded.items()
        if current.get(field) == digest and getattr(person, field, None) not in (None, "")
    )


def is_verified(person: Person, *fields: str) -> bool:
    """Whether every one of ``fields`` is verified (see :func:`verified_fields`)."""
    return set(fields) <= verified_fields(person)


def identity_verified(person: Person) -> bool:
    """Whether the account is at least standard and all its identity data is verified."""
    fields = verified_fields(person)
    present = {f for f in IDENTITY_FIELDS if getattr(person, f, None) not in (None, "")}
    return bool(fields) and present <= fields


def evidence(person: Person) -> list[dict[str, str]]:
    """The confirming steps of the current verification, oldest first ({method, time})."""
    if not verified_fields(person):
        return []
    return [dict(item) for item in person.verification_evidence or []]
