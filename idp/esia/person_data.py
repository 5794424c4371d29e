"""The person API's JSON, in ESIA's shapes and date formats, from the account data the
OIDC side shows. Each function returns only what the granted scopes allow.

What is verified follows idp.accounts.verification: ``trusted`` is a confirmed account; a
document's ``vrfStu`` is ``VERIFIED`` while its data is what a confirmation checked (the
passport from the standard level on, the OMS policy of a confirmed account); the person's
``snilsVrfStu`` (a gosid extension: ESIA has no vrfStu for the SNILS) says the same of the SNILS."""

from __future__ import annotations

import hashlib
import zlib
from datetime import date
from typing import Any

from idp.accounts import verification
from idp.accounts.models import AccountLevel, Person

CONTACT_IDS = {"MBT": 1, "EML": 2}
DOCUMENT_IDS = {"RF_PASSPORT": 11, "MDCL_PLCY": 12}
ADDRESS_ID_PRG = 21


def _date(value: date | None) -> str | None:
    return value.strftime("%d.%m.%Y") if value else None


def _snils(value: str | None) -> str | None:
    if not value or len(value) != 11:
        return value
    return f"{value[:3]}-{value[3:6]}-{value[6:9]} {value[9:]}"


def e_tag(data: Any) -> str:
    return hashlib.sha1(repr(data).encode(), usedforsecurity=False).hexdigest().upper()


def trusted(person: Person) -> bool:
    """A confirmed account whose identity data is still the data that was confirmed."""
    return person.level == AccountLevel.CONFIRMED.value and verification.identity_verified(person)


def _vrf_stu(verified: bool) -> str:
    return "VERIFIED" if verified else "NOT_VERIFIED"


def passport_verified(person: Person) -> bool:
    return verification.is_verified(person, *verification.PASSPORT_FIELDS)


def oms_policy_verified(person: Person) -> bool:
    return trusted(person) and verification.is_verified(person, "oms_policy")


def person_object(person: Person, scopes: set[str]) -> dict[str, Any]:
    data: dict[str, Any] = {"stateFacts": ["EntityRoot"]}
    if "fullname" in scopes:
        data.update(firstName=person.name, lastName=person.surname, middleName=person.patronymic)
    if "birthdate" in scopes:
        data["birthDate"] = _date(person.birth_date)
    if "gender" in scopes:
        data["gender"] = person.gender
    if "snils" in scopes:
        data["snils"] = _snils(person.snils)
        if person.snils:
            data["snilsVrfStu"] = _vrf_stu(verification.is_verified(person, "snils"))
    if "inn" in scopes:
        data["inn"] = person.inn
    if "id_doc" in scopes and person.passport_number:
        data["rIdDoc"] = DOCUMENT_IDS["RF_PASSPORT"]
    data.update(
        trusted=trusted(person),
        citizenship="RUS",
        updatedOn=int(person.updated_at.timestamp()) if person.updated_at else None,
        status="REGISTERED",
        verifying=False,
        containsUpCfmCode=False,
    )
    data = {k: v for k, v in data.items() if v is not None}
    data["eTag"] = e_tag(data)
    return data


def contacts(person: Person, scopes: set[str]) -> list[dict[str, Any]]:
    found = []
    if scopes & {"mobile", "contacts"} and person.phone:
        vrf = "VERIFIED" if person.phone_verified else "NOT_VERIFIED"
        found.append(_element(CONTACT_IDS["MBT"], type="MBT", vrfStu=vrf, value=person.phone))
    if scopes & {"email", "contacts"} and person.email:
        vrf = "VERIFIED" if person.email_verified else "NOT_VERIFIED"
        found.append(_element(CONTACT_IDS["EML"], type="EML", vrfStu=vrf, value=person.email))
    return found


def addresses(person: Person, scopes: set[str], region_name: str | None) -> list[dict[str, Any]]:
    if "addresses" not in scopes or not person.address:
        return []
    return [
        _element(
            ADDRESS_ID_PRG, type="PRG", addressStr=person.address, countryId="RUS", region=region_name, fiasCode=None
        )
    ]


def documents(person: Person, scopes: set[str]) -> list[dict[str, Any]]:
    found = []
    if "id_doc" in scopes and person.passport_number:
        found.append(
            _element(
                DOCUMENT_IDS["RF_PASSPORT"],
                type="RF_PASSPORT",
                vrfStu=_vrf_stu(passport_verified(person)),
                series=person.passport_series,
                number=person.passport_number,
                issueDate=_date(person.passport_issue_date),
                issuedBy=person.passport_issued_by,
            )
        )
    if "medical_doc" in scopes and person.oms_policy:
        found.append(
            _element(
                DOCUMENT_IDS["MDCL_PLCY"],
                type="MDCL_PLCY",
                vrfStu=_vrf_stu(oms_policy_verified(person)),
                number=person.oms_policy,
            )
        )
    return found


def org_oid(person: Person) -> int | None:
    """ESIA organizations have numeric oids; the stand derives a stable one from the
    organization's register identifier (e.g. its FRMO OID)."""
    if not person.organization_oid:
        return None
    return 1_000_000_000 + zlib.crc32(person.organization_oid.encode()) % 1_000_000_000


def organizations(person: Person, scopes: set[str]) -> list[dict[str, Any]]:
    oid = org_oid(person)
    if "usr_org" not in scopes or oid is None:
        return []
    org = {
        "stateFacts": ["Identifiable"],
        "oid": oid,
        "prnOid": person.oid,
        "fullName": person.organization_name,
        "shortName": person.organization_name,
        "type": "LEGAL",
        "chief": False,
        "admin": False,
        "active": True,
        "hasRightOfSubstitution": False,
        "registerId": person.organization_oid,
    }
    org["eTag"] = e_tag(org)
    return [org]


def _element(element_id: int, **fields: Any) -> dict[str, Any]:
    data = {"stateFacts": ["Identifiable"], "id": element_id}
    data.update({k: v for k, v in fields.items() if v is not None})
    data["eTag"] = e_tag(data)
    return data


def collection(elements: list[dict[str, Any]], *, base_url: str | None) -> dict[str, Any]:
    """ESIA's collection shape: element URLs when ``base_url`` is given, else the objects."""
    items: list[Any] = [f"{base_url}/{e['id']}" for e in elements] if base_url else elements
    data = {"stateFacts": ["hasSize"], "size": len(items), "elements": items}
    data["eTag"] = e_tag(data)
    return data
