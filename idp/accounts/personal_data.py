"""Changing personal data after registration (the cabinet's «Личные данные» flow).

Registration's step 3 fills the profile once (:func:`idp.selfservice.registration.save_profile`);
afterwards every change comes here. The view requires a login younger than ``reauth_max_age``;
this module validates the whole form (the same rules as registration), applies it, and in the
same transaction records the audit events. As Gosuslugi re-checks changed documents, a change
of the identity data a confirmation checked (full name, birth date, gender, SNILS, passport;
:data:`idp.accounts.verification.IDENTITY_FIELDS`) puts a standard or confirmed account back to
simplified until it is confirmed again. The address, region, INN and OMS policy keep the level
(a changed address needs no re-confirmation at Gosuslugi); the OMS policy then shows as not
verified, and the relying parties see the region change in the ``region`` claim. The person is
told on the account's phone and e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from idp.accounts.lookup_limits import LookupLimits
from idp.accounts.models import AccountLevel, Person
from idp.accounts.notifications import notify_personal_data_change
from idp.accounts.profile import ensure_snils_free, validate_profile
from idp.accounts.regions import RegionDirectory
from idp.accounts.verification import IDENTITY_FIELDS, clear_verification
from idp.audit import log as audit
from idp.outbox.senders import MessageSender

EDITABLE_FIELDS = (
    *IDENTITY_FIELDS,
    "inn",
    "oms_policy",
    "region_code",
    "address",
)


@dataclass(frozen=True)
class PersonalDataChange:
    """What a submitted form changed: the field names, and the level before and after."""

    fields: tuple[str, ...]
    level_before: str
    level_after: str

    @property
    def level_lowered(self) -> bool:
        return self.level_before != self.level_after


def current_form(person: Person) -> dict[str, str]:
    """The person's data as the change form shows it (dates as ISO strings)."""
    values: dict[str, str] = {}
    for field in EDITABLE_FIELDS:
        value = getattr(person, field)
        values[field] = value.isoformat() if isinstance(value, date) else (value or "")
    return values


def change_personal_data(
    person: Person,
    form: dict[str, str],
    *,
    regions: RegionDirectory,
    today: date,
    sender: MessageSender,
    url: str,
    lookups: LookupLimits,
    ip: str,
) -> PersonalDataChange:
    """Validate and apply ``form``; raises ``ValidationError`` (nothing saved) on any bad field.

    Identity fields changed on a standard or confirmed account lower it to simplified and void
    its verification; every change is audited and announced. An unchanged form changes nothing."""
    data = validate_profile(form, regions=regions, today=today)
    ensure_snils_free(person, data["snils"], lookups=lookups, ip=ip)
    changed = tuple(f for f in EDITABLE_FIELDS if f in data and getattr(person, f) != data[f])
    before = person.level
    if not changed:
        return PersonalDataChange((), before, before)
    for field in changed:
        setattr(person, field, data[field])
    if set(changed) & set(IDENTITY_FIELDS) and before != AccountLevel.SIMPLIFIED.value:
        _lower_to_simplified(person, changed)
    audit.record("personal_data_changed", person_oid=person.oid, fields=list(changed), level=person.level)
    result = PersonalDataChange(changed, before, person.level)
    notify_personal_data_change(sender, person, fields=changed, lowered=result.level_lowered, url=url)
    return result


def _lower_to_simplified(person: Person, changed: tuple[str, ...]) -> None:
    previous = person.level
    person.level = AccountLevel.SIMPLIFIED.value
    person.level_evidence = None
    clear_verification(person)
    identity = [f for f in changed if f in IDENTITY_FIELDS]
    details: dict[str, Any] = {"previous": previous, "reason": "identity_data_changed", "fields": identity}
    audit.record("account_level_lowered", person_oid=person.oid, level=person.level, **details)
