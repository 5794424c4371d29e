"""Which claims each scope releases, from the same account data the ESIA side shows.

Besides what was typed, the claims say what was verified: ``account_level`` (profile scope),
``snils_verified`` next to ``snils``, and OpenID Connect for Identity Assurance's
``verified_claims`` for the released claims a confirmation checked (idp.oidc.verified_claims)."""

from __future__ import annotations

from typing import Any

from idp.accounts.models import Person
from idp.errors import N_
from idp.oidc.verified_claims import snils_verified, verified_claims

STANDARD_SCOPES = ("openid", "profile", "email", "phone", "address")
IDENTITY_SCOPES = ("snils", "inn", "id_doc", "medical_doc", "region", "roles")
DEMO_RP_SCOPES = ("medcard.rs", "medcard.cu")

# Shown on the consent screen; English msgids, translated at render time.
SCOPE_DESCRIPTIONS: dict[str, str] = {
    "openid": N_("Your identifier in the system"),
    "profile": N_("Full name, birth date, gender, account level"),
    "email": N_("E-mail address"),
    "phone": N_("Mobile phone number"),
    "address": N_("Registration address"),
    "offline_access": N_("Access to this data while you are not signed in, until you withdraw the permission"),
    "snils": N_("SNILS (individual insurance account number)"),
    "inn": N_("INN (taxpayer number)"),
    "id_doc": N_("Passport of a citizen of the Russian Federation"),
    "medical_doc": N_("OMS medical insurance policy"),
    "region": N_("Region of registration"),
    "roles": N_("Your roles and organization"),
    "medcard.rs": N_("View your electronic medical card"),
    "medcard.cu": N_("Change records in the electronic medical card"),
}


def _profile(p: Person) -> dict[str, Any]:
    return {
        "name": p.full_name or None,
        "family_name": p.surname,
        "given_name": p.name,
        "middle_name": p.patronymic,
        "birthdate": p.birth_date.isoformat() if p.birth_date else None,
        "gender": {"M": "male", "F": "female"}.get(p.gender or ""),
        "account_level": p.level,
        "updated_at": int(p.updated_at.timestamp()) if p.updated_at else None,
    }


def _id_doc(p: Person) -> dict[str, Any]:
    if not p.passport_number:
        return {}
    return {
        "id_doc": {
            "type": "RF_PASSPORT",
            "series": p.passport_series,
            "number": p.passport_number,
            "issue_date": p.passport_issue_date.isoformat() if p.passport_issue_date else None,
            "issued_by": p.passport_issued_by,
        }
    }


def _roles(p: Person) -> dict[str, Any]:
    claims: dict[str, Any] = {"roles": list(p.roles or [])}
    if p.organization_oid:
        claims["organization"] = {"oid": p.organization_oid, "name": p.organization_name}
        claims["specialty"] = p.specialty
        claims["regional_doctor_certificate"] = p.regional_doctor_certificate
    return claims


def claims_for(person: Person, scopes: list[str] | set[str]) -> dict[str, Any]:
    """Claims the given scopes release about ``person``; absent data is left out."""
    granted = set(scopes)
    claims: dict[str, Any] = {"sub": str(person.oid)}
    if "profile" in granted:
        claims.update(_profile(person))
    if "email" in granted and person.email:
        claims.update(email=person.email, email_verified=person.email_verified)
    if "phone" in granted:
        claims.update(phone_number=person.phone, phone_number_verified=person.phone_verified)
    if "address" in granted and person.address:
        claims["address"] = {"formatted": person.address, "region": person.region_code, "country": "RU"}
    if "snils" in granted and person.snils:
        claims.update(snils=person.snils, snils_verified=snils_verified(person))
    if "inn" in granted and person.inn:
        claims["inn"] = person.inn
    if "id_doc" in granted:
        claims.update(_id_doc(person))
    if "medical_doc" in granted and person.oms_policy:
        claims["oms_policy"] = person.oms_policy
    if "region" in granted and person.region_code:
        claims["region"] = person.region_code
    if "roles" in granted:
        claims.update(_roles(person))
    released = {k: v for k, v in claims.items() if v is not None}
    if (verified := verified_claims(person, released)) is not None:
        released["verified_claims"] = verified
    return released


def access_token_claims(person: Person, scopes: list[str] | set[str]) -> dict[str, Any]:
    """The few identity claims resource servers need for decisions (roles, region)."""
    granted = set(scopes)
    extra: dict[str, Any] = {}
    if "roles" in granted:
        extra.update(_roles(person))
    if "region" in granted and person.region_code:
        extra["region"] = person.region_code
    return extra


# Which scope releases each claim: the `claims` request parameter may ask for individual
# claims, which are released only when the client is registered for that scope.
CLAIM_SCOPE: dict[str, str] = {
    **dict.fromkeys(
        ("name", "family_name", "given_name", "middle_name", "birthdate", "gender", "account_level", "updated_at"),
        "profile",
    ),
    "email": "email",
    "email_verified": "email",
    "phone_number": "phone",
    "phone_number_verified": "phone",
    "address": "address",
    "snils": "snils",
    "snils_verified": "snils",
    "verified_claims": "profile",
    "inn": "inn",
    "id_doc": "id_doc",
    "oms_policy": "medical_doc",
    "region": "region",
    "roles": "roles",
    "organization": "roles",
    "specialty": "roles",
    "regional_doctor_certificate": "roles",
}


def scopes_for_claims(names: list[str] | set[str]) -> set[str]:
    return {CLAIM_SCOPE[n] for n in names if n in CLAIM_SCOPE}


def requested_claims(person: Person, names: list[str] | set[str]) -> dict[str, Any]:
    """Only the named claims (from the `claims` parameter), with the same data rules."""
    wanted = set(names)
    released = claims_for(person, scopes_for_claims(wanted))
    return {k: v for k, v in released.items() if k in wanted}
