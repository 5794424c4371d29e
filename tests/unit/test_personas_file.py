"""config/personas.toml: every seeded person passes the same validators as a registration form.

So the file can never ship an invalid SNILS, INN, phone or a password the policy would refuse,
and the scenarios the demo relies on (regions, roles, levels) always have their persons.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from idp.accounts import contacts, identity_numbers, passwords, validation
from idp.accounts.regions import RegionDirectory, load_regions

CONFIG = Path(__file__).resolve().parents[2] / "config"
# Validate as of a fixed day, so the file does not start failing as time passes.
TODAY = date(2024, 6, 15)

ALWAYS = {"key", "oid", "surname", "name", "phone", "password", "level", "roles", "region_code"}
IDENTITY = {
    "birth_date", "gender", "snils", "inn", "passport_series", "passport_number",
    "passport_issue_date", "passport_issued_by", "oms_policy", "address",
}  # fmt: skip
ORGANIZATION = {"organization_oid", "organization_name"}
DOCTOR = ORGANIZATION | {"specialty", "regional_doctor_certificate"}
KNOWN = ALWAYS | IDENTITY | DOCTOR | {"patronymic", "email", "factors"}
FRMO_OID = re.compile(r"1\.2\.643\.5\.1\.13\.13\.12\.2\.([1-9][0-9]?)\.[1-9][0-9]*")

Person = dict[str, Any]


def load_personas() -> list[Person]:
    with (CONFIG / "personas.toml").open("rb") as handle:
        persons = tomllib.load(handle)["person"]
    assert isinstance(persons, list)
    return persons


PERSONAS = load_personas()


@pytest.fixture(scope="module")
def regions() -> RegionDirectory:
    return load_regions(CONFIG / "regions.toml")


def by_key(key: str) -> Person:
    return next(person for person in PERSONAS if person["key"] == key)


@pytest.mark.parametrize("person", PERSONAS, ids=lambda p: str(p["key"]))
def test_person_has_the_keys_of_its_level_and_roles(person: Person) -> None:
    keys = set(person)
    assert keys >= ALWAYS
    assert keys <= KNOWN, keys - KNOWN
    assert person["level"] in {"simplified", "standard", "confirmed"}
    assert person["roles"] and set(person["roles"]) <= {"patient", "doctor", "registrar"}
    if person["level"] == "simplified":
        assert not keys & IDENTITY, "a simplified account has no identity documents"
    else:
        assert keys >= IDENTITY
    if "doctor" in person["roles"]:
        assert keys >= DOCTOR
        assert isinstance(person["regional_doctor_certificate"], bool)
    elif "registrar" in person["roles"]:
        assert keys >= ORGANIZATION


@pytest.mark.parametrize("person", PERSONAS, ids=lambda p: str(p["key"]))
def test_person_passes_the_registration_validators(person: Person, regions: RegionDirectory) -> None:
    # Each validator must accept the stored value unchanged: the file holds normalized data.
    assert validation.validate_surname(person["surname"]) == person["surname"]
    assert validation.validate_given_name(person["name"]) == person["name"]
    assert validation.validate_patronymic(person.get("patronymic")) == person.get("patronymic")
    assert contacts.validate_mobile_phone(person["phone"]) == person["phone"]
    assert person["phone"].startswith("+79")
    if "email" in person:
        assert contacts.validate_email(person["email"]) == person["email"]
        assert person["email"].endswith(("@example.ru", "@example.com"))
    assert validation.validate_region_code(person["region_code"], regions=regions) == person["region_code"]
    assert validation.OID_MIN <= person["oid"] <= validation.OID_MAX
    if person["level"] != "simplified":
        check_identity_documents(person)


def check_identity_documents(person: Person) -> None:
    born = validation.validate_birth_date(person["birth_date"], today=TODAY)
    assert born.isoformat() == person["birth_date"]
    assert validation.validate_gender(person["gender"]) == person["gender"]
    assert identity_numbers.validate_snils(person["snils"]) == person["snils"]
    assert identity_numbers.validate_person_inn(person["inn"]) == person["inn"]
    assert identity_numbers.validate_oms_policy(person["oms_policy"]) == person["oms_policy"]
    passport = identity_numbers.validate_passport(
        series=person["passport_series"],
        number=person["passport_number"],
        issue_date=person["passport_issue_date"],
        birth_date=born,
        today=TODAY,
    )
    assert (passport.series, passport.number) == (
        person["passport_series"],
        person["passport_number"],
    )
    assert person["passport_issued_by"].strip()
    assert validation.validate_address(person["address"]) == person["address"]


@pytest.mark.parametrize("person", PERSONAS, ids=lambda p: str(p["key"]))
def test_person_password_satisfies_the_policy(person: Person) -> None:
    personal = [person["surname"], person["name"], person.get("patronymic") or ""]
    if "birth_date" in person:
        personal.append(person["birth_date"])
    passwords.check_password_policy(person["password"], personal_values=personal)


@pytest.mark.parametrize("person", [p for p in PERSONAS if "organization_oid" in p], ids=lambda p: str(p["key"]))
def test_organization_oid_is_frmo_style_in_the_person_region(person: Person) -> None:
    match = FRMO_OID.fullmatch(person["organization_oid"])
    assert match, person["organization_oid"]
    # OID arcs carry no leading zero: Dagestan "05" is arc 5.
    assert int(match.group(1)) == int(person["region_code"])


@pytest.mark.parametrize("field", ["key", "oid", "phone", "email", "snils"])
def test_identifiers_are_unique(field: str) -> None:
    values = Counter(person[field] for person in PERSONAS if field in person)
    assert [value for value, count in values.items() if count > 1] == []


def test_the_demo_scenarios_have_their_persons() -> None:
    def find(**wanted: Any) -> list[str]:
        return [
            p["key"]
            for p in PERSONAS
            if all(
                (value in p.get("roles", [])) if name == "role" else p.get(name) == value
                for name, value in wanted.items()
            )
        ]

    assert find(role="patient", level="confirmed", region_code="77")
    assert [
        key for key in find(role="doctor", level="confirmed", region_code="77")
        if "organization_oid" in by_key(key)
    ]  # fmt: skip
    assert find(role="doctor", region_code="05", regional_doctor_certificate=False)
    assert find(role="doctor", region_code="05", regional_doctor_certificate=True)
    assert find(role="patient", region_code="66")
    assert find(role="patient", region_code="54")
    assert find(role="registrar", region_code="77")
    assert find(level="standard")
    simplified = find(level="simplified")
    assert simplified
    assert all("snils" not in by_key(k) and "passport_number" not in by_key(k) for k in simplified)
