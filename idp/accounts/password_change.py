"""Setting a new password (change in the cabinet, or reset): the configured policy, the last
five passwords refused, the old hash kept in the history, everything else signed out."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from idp.accounts import passwords
from idp.accounts.models import Person
from idp.accounts.passwords import CURRENT_PASSWORD_WRONG, NEW_PASSWORD_MISMATCH
from idp.accounts.security_models import PasswordHistory
from idp.accounts.validation import FieldError, ValidationError
from idp.audit import log as audit
from idp.storage.db import db, utcnow

KEEP_HISTORY = 10

# Ends every session and refresh token of the person with this OID (AccountLifecycle.end_everything_for).
EndEverything = Callable[[int], None]


def personal_values(person: Person) -> list[str]:
    values = [person.surname, person.name, person.patronymic, (person.email or "").split("@")[0]]
    if person.birth_date:
        values.append(person.birth_date.isoformat())
    return [v for v in values if v]


def previous_hashes(person: Person) -> list[str]:
    """The current hash and the older ones, newest first."""
    query = (
        select(PasswordHistory.password_hash)
        .where(PasswordHistory.person_oid == person.oid)
        .order_by(PasswordHistory.id.desc())
    )
    return [person.password_hash, *db.session.scalars(query.limit(KEEP_HISTORY))]


def set_password(
    person: Person,
    new: str,
    confirm: str,
    *,
    policy: passwords.PasswordPolicy,
    reason: str,
    end_everything: EndEverything,
) -> None:
    """Check and store ``new``; end every session and refresh token of the person (the caller
    may start a fresh session for the browser that made the change)."""
    errors: list[FieldError] = []
    try:
        passwords.check_password_policy(
            new, personal_values=personal_values(person), policy=policy, previous_hashes=previous_hashes(person)
        )
    except ValidationError as exc:
        errors.extend(exc.errors)
    if new != confirm:
        errors.append(FieldError("password_confirm", NEW_PASSWORD_MISMATCH))
    if errors:
        raise ValidationError(*errors)
    db.session.add(PasswordHistory(person_oid=person.oid, password_hash=person.password_hash))
    person.password_hash = passwords.hash_password(new)
    person.password_changed_at = utcnow()
    end_everything(person.oid)
    audit.record("password_changed", person_oid=person.oid, reason=reason)


def change_password(
    person: Person,
    *,
    current: str,
    new: str,
    confirm: str,
    policy: passwords.PasswordPolicy,
    end_everything: EndEverything,
) -> None:
    if not passwords.verify_password(stored_hash=person.password_hash, password=current):
        audit.record("password_changed", result="wrong_current", person_oid=person.oid)
        raise ValidationError(FieldError("current_password", CURRENT_PASSWORD_WRONG))
    set_password(person, new, confirm, policy=policy, reason="change", end_everything=end_everything)
