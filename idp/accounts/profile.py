"""The profile form's rules, shared by registration's step 3 and the cabinet's change of
personal data: every field validated at once, and the SNILS free of other accounts."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from idp.accounts import identity_numbers as ids
from idp.accounts import lookup_limits
from idp.accounts import validation as v
from idp.accounts.lookup_limits import LookupLimits
from idp.accounts.models import Person
from idp.accounts.regions import RegionDirectory
from idp.errors import N_
from idp.storage.db import db

SNILS_TAKEN = N_("SNILS: this SNILS is already linked to another account; sign in to that account")


def validate_profile(form: dict[str, str], *, regions: RegionDirectory, today: date) -> dict[str, Any]:
    """Every field checked, every problem reported together."""
    e = v.ErrorCollector()
    out: dict[str, Any] = {
        "surname": e.check(v.validate_surname, form.get("surname", "")),
        "name": e.check(v.validate_given_name, form.get("name", "")),
        "patronymic": e.check(v.validate_patronymic, form.get("patronymic") or None),
        "birth_date": e.check(v.validate_birth_date, form.get("birth_date", ""), today=today),
        "gender": e.check(v.validate_gender, form.get("gender", "")),
        "snils": e.check(ids.validate_snils, form.get("snils", "")),
        "passport_series": e.check(ids.validate_passport_series, form.get("passport_series", "")),
        "passport_number": e.check(ids.validate_passport_number, form.get("passport_number", "")),
        "region_code": e.check(v.validate_region_code, form.get("region_code", ""), regions=regions),
        "address": e.check(v.validate_address, form.get("address", "")),
    }
    if out["birth_date"] is not None:
        out["passport_issue_date"] = e.check(
            ids.validate_passport_issue_date,
            form.get("passport_issue_date", ""),
            birth_date=out["birth_date"],
            today=today,
        )
    if form.get("inn", "").strip():
        out["inn"] = e.check(ids.validate_person_inn, form["inn"])
    if form.get("oms_policy", "").strip():
        out["oms_policy"] = e.check(ids.validate_oms_policy, form["oms_policy"])
    e.raise_if_any()
    return out


def ensure_snils_free(person: Person, snils: str, *, lookups: LookupLimits, ip: str) -> None:
    """Refuse a SNILS that another account already holds (a limited, audited look-up: lookup_limits)."""
    lookups.check(account=str(person.oid), ip=ip, person_oid=person.oid)
    owner = db.session.scalar(select(Person.oid).where(Person.snils == snils))
    if owner is not None and owner != person.oid:
        lookup_limits.bound("snils", person_oid=person.oid)
        raise v.fail("snils", SNILS_TAKEN)
