"""Account levels: simplified (contacts and password) → standard (SNILS and passport checked
against the registry) → confirmed (a bank card with 3-D Secure, a qualified signature, or an
in-person confirmation code). A level is only ever raised one step at a time by its evidence."""

from __future__ import annotations

from idp.accounts.models import AccountLevel, Person
from idp.audit import log as audit
from idp.storage.db import db

CONFIRMING_EVIDENCE = ("card", "qes", "in_person")


def confirm(person: Person, evidence: str) -> bool:
    """Raise a standard account to confirmed; True if the level changed. A simplified account
    stays simplified: its SNILS and passport must be checked first (the standard level)."""
    assert evidence in CONFIRMING_EVIDENCE
    if person.level != AccountLevel.STANDARD.value:
        return False
    person.level = AccountLevel.CONFIRMED.value
    person.level_evidence = evidence
    db.session.commit()
    audit.record("account_level_raised", person_oid=person.oid, level="confirmed", evidence=evidence)
    return True


def make_standard(person: Person) -> bool:
    if person.level != AccountLevel.SIMPLIFIED.value:
        return False
    person.level = AccountLevel.STANDARD.value
    person.level_evidence = "registry"
    db.session.commit()
    audit.record("account_level_raised", person_oid=person.oid, level="standard", evidence="registry")
    return True
