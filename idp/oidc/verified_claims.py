"""What the IdP says was verified, in OpenID Connect for Identity Assurance 1.0's shape.

``verified_claims`` carries the released claims whose values a confirmation checked, with the
verification that checked them: the trust framework (``ru_esia``: the account levels of the
Russian ESIA as this stand reproduces them; a value gosid defines, not one of the IDA registry),
the assurance level (``standard`` or ``confirmed``), the time of the last confirmation and one
evidence item per confirming step. A claim whose value changed since is not in it, and nothing
is released below the standard level. The flat ``snils_verified`` claim says the same of the
SNILS for clients that do not read IDA.
"""

from __future__ import annotations

from typing import Any

from idp.accounts import verification
from idp.accounts.models import Person

TRUST_FRAMEWORK = "ru_esia"
# Released claim → the account fields its value comes from.
VERIFIABLE_CLAIMS: dict[str, tuple[str, ...]] = {
    "family_name": ("surname",),
    "given_name": ("name",),
    "middle_name": ("patronymic",),
    "birthdate": ("birth_date",),
    "gender": ("gender",),
    "snils": ("snils",),
}
REGISTRY = "Единый государственный реестр (СФР, МВД): проверка СНИЛС и паспорта"
EVIDENCE: dict[str, dict[str, Any]] = {
    "registry": {
        "type": "electronic_record",
        "check_details": [{"check_method": "data"}],
        "record": {"type": "population_register", "source": {"name": REGISTRY, "country_code": "RUS"}},
    },
    "card": {
        "type": "electronic_record",
        "check_details": [{"check_method": "data"}],
        "record": {"type": "bank_account"},
    },
    "qes": {"type": "electronic_signature", "signature_type": "qes"},
    "in_person": {
        "type": "document",
        "check_details": [{"check_method": "vpip"}],
        "document_details": {"type": "passport"},
    },
    "seed": {
        "type": "vouch",
        "attestation": {"type": "digital_attestation", "voucher": {"organization": "gosid test personas"}},
    },
}
EVIDENCE_TYPES = sorted({str(item["type"]) for item in EVIDENCE.values()})
ELECTRONIC_RECORD_TYPES = sorted(
    {str(item["record"]["type"]) for item in EVIDENCE.values() if item["type"] == "electronic_record"}
)
DOCUMENT_TYPES = sorted(
    {str(item["document_details"]["type"]) for item in EVIDENCE.values() if item["type"] == "document"}
)
CHECK_METHODS = sorted(
    {str(c["check_method"]) for item in EVIDENCE.values() if item["type"] == "document" for c in item["check_details"]}
)


def _evidence(step: dict[str, str]) -> dict[str, Any] | None:
    found = EVIDENCE.get(step.get("method", ""))
    if found is None:  # "legacy": confirmed before the stand kept evidence
        return None
    time_key = "created_at" if found["type"] == "electronic_signature" else "time"
    return {**found, time_key: _iso(step.get("time", ""))}


def _iso(value: str) -> str:
    """ISO 8601 in UTC with a ``Z`` (as IDA writes times), from a stored isoformat()."""
    return value[:19] + "Z" if len(value) >= 19 else value


def verified_claims(person: Person, released: dict[str, Any]) -> dict[str, Any] | None:
    """The IDA ``verified_claims`` object for the ``released`` claims, or None if none of them
    is verified."""
    fields = verification.verified_fields(person)
    claims = {
        name: released[name]
        for name, sources in VERIFIABLE_CLAIMS.items()
        if name in released and set(sources) <= fields
    }
    if not claims or person.verified_at is None:
        return None
    steps = [found for step in verification.evidence(person) if (found := _evidence(step)) is not None]
    verification_object: dict[str, Any] = {
        "trust_framework": TRUST_FRAMEWORK,
        "assurance_level": person.level,
        "time": _iso(person.verified_at.isoformat()),
    }
    if steps:
        verification_object["evidence"] = steps
    return {"verification": verification_object, "claims": claims}


def snils_verified(person: Person) -> bool:
    return verification.is_verified(person, "snils")
