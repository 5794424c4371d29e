"""The person's identity claims, shaped for the profile page.

Claim names the RP relies on (from the ID token and userinfo): ``family_name``, ``given_name``,
``middle_name``, ``birthdate`` (ISO date), ``snils`` (11 digits), ``oms_policy``, ``region``
(two-digit region code), ``roles`` (list), ``email``, ``phone_number``; and what the IdP says it
verified: ``snils_verified`` (gosid) or, without it, ``account_level`` (``standard`` or
``confirmed`` means the SNILS and passport were checked).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from relying_party_demo.labels import ROLE_NAMES

VERIFIED_LEVELS = frozenset({"standard", "confirmed"})


@dataclass(frozen=True)
class IdentityEvidence:
    """The SNILS the IdP released (11 digits, or None) and whether the IdP says it confirmed it."""

    snils: str | None
    verified: bool


def identity_evidence(claims: dict[str, Any]) -> IdentityEvidence:
    """What the claims show of the person's SNILS. An explicit ``snils_verified`` decides; an
    IdP that does not send it is believed by the account level (standard or confirmed)."""
    value = claims.get("snils")
    snils = value if isinstance(value, str) and len(value) == 11 and value.isdigit() else None
    flag = claims.get("snils_verified")
    verified = flag is True if "snils_verified" in claims else claims.get("account_level") in VERIFIED_LEVELS
    return IdentityEvidence(snils=snils, verified=snils is not None and verified)


@dataclass(frozen=True)
class Profile:
    oid: str
    full_name: str | None
    birthdate: str | None
    snils: str | None
    oms_policy: str | None
    region: str | None
    roles: tuple[str, ...]
    email: str | None
    phone: str | None
    organization: str | None = None
    specialty: str | None = None
    account_level: str | None = None


def profile_from_claims(claims: dict[str, Any]) -> Profile:
    names = [_text(claims, k) for k in ("family_name", "given_name", "middle_name")]
    return Profile(
        oid=str(claims.get("sub", "")),
        full_name=" ".join(n for n in names if n) or _text(claims, "name"),
        birthdate=format_birthdate(_text(claims, "birthdate")),
        snils=format_snils(_text(claims, "snils")),
        oms_policy=_text(claims, "oms_policy"),
        region=_text(claims, "region"),
        roles=tuple(str(ROLE_NAMES.get(r, r)) for r in _texts(claims, "roles")),
        email=_text(claims, "email"),
        phone=_text(claims, "phone_number"),
        organization=_organization_name(claims),
        specialty=_text(claims, "specialty"),
        account_level=_text(claims, "account_level"),
    )


def _organization_name(claims: dict[str, Any]) -> str | None:
    value = claims.get("organization")
    return _text(value, "name") if isinstance(value, dict) else None


def format_snils(value: str | None) -> str | None:
    """``12345678901`` → ``123-456-789 01``, the way it is printed on the card."""
    if value is None:
        return None
    digits = "".join(c for c in value if c.isdigit())
    if len(digits) != 11:
        return value
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:]}"


def format_birthdate(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).strftime("%d.%m.%Y")
    except ValueError:
        return value


def _text(claims: dict[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) and value else None


def _texts(claims: dict[str, Any], name: str) -> list[str]:
    value = claims.get(name)
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [str(v) for v in value]
    return []
