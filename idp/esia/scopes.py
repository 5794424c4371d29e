"""ESIA scopes: plain (``fullname``) or URI form (``http://esia.gosuslugi.ru/fullname``);
in tokens every person scope is bound to the subject as ``fullname?oid=1000299681``."""

from __future__ import annotations

from idp.errors import N_
from idp.esia.errors import InvalidScope, MissingScope

URI_PREFIX = "http://esia.gosuslugi.ru/"
PERSON_SCOPES = (
    "fullname",
    "birthdate",
    "gender",
    "snils",
    "inn",
    "id_doc",
    "birthplace",
    "medical_doc",
    "email",
    "mobile",
    "contacts",
    "addresses",
    "usr_org",
)
ESIA_SCOPES = ("openid", *PERSON_SCOPES)


# Shown on the consent screen (translated at render time).
SCOPE_DESCRIPTIONS = {
    "openid": N_("Your identifier in the system"),
    "fullname": N_("Full name"),
    "birthdate": N_("Date of birth"),
    "gender": N_("Gender"),
    "snils": N_("SNILS (individual insurance account number)"),
    "inn": N_("INN (taxpayer number)"),
    "id_doc": N_("Passport of a citizen of the Russian Federation"),
    "birthplace": N_("Place of birth"),
    "medical_doc": N_("OMS medical insurance policy"),
    "email": N_("E-mail address"),
    "mobile": N_("Mobile phone number"),
    "contacts": N_("Contact details (phones and e-mail)"),
    "addresses": N_("Addresses of registration and residence"),
    "usr_org": N_("Organizations you work for and your roles"),
}


def parse_requested(value: str) -> list[str]:
    """Requested scopes in plain form, order kept; unknown values refuse the request."""
    found: list[str] = []
    for item in value.split():
        name = item[len(URI_PREFIX) :] if item.startswith(URI_PREFIX) else item
        name = name.split("?", 1)[0]
        if name not in ESIA_SCOPES:
            raise InvalidScope(f"unknown scope {item!r}")
        if name not in found:
            found.append(name)
    if not found:
        raise MissingScope("scope")
    return found


def token_scope(scopes: list[str], oid: int) -> str:
    return " ".join(s if s == "openid" else f"{s}?oid={oid}" for s in scopes)


def granted_for(token_scope_value: str, oid: int) -> set[str]:
    """Scopes of a token that apply to person ``oid``."""
    granted: set[str] = set()
    for item in token_scope_value.split():
        name, _, query = item.partition("?")
        if name == "openid" or query == f"oid={oid}":
            granted.add(name)
    return granted
