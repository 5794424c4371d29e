"""Small arrangements shared by the RP integration tests (through the RP's own domain code)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Select, select

from relying_party_demo import people
from relying_party_demo.medical.models import Patient
from relying_party_demo.models import db
from relying_party_demo.services import services
from relying_party_demo.testing import FakeIdp


def persona_claims(person: dict[str, Any]) -> dict[str, Any]:
    """The access-token claims the IdP releases for a persona with the roles and region scopes."""
    claims: dict[str, Any] = {"roles": list(person["roles"]), "region": person["region_code"]}
    if "organization_oid" in person:
        claims["organization"] = {"oid": person["organization_oid"], "name": person["organization_name"]}
        claims["specialty"] = person.get("specialty")
        claims["regional_doctor_certificate"] = person.get("regional_doctor_certificate")
    return claims


def card_id(app: Flask, snils: str) -> int:
    with app.app_context():
        found = db.session.scalars(select(Patient.id).where(Patient.snils == snils)).one()
        return int(found)


def complete(app: Flask, person: dict[str, Any], requirement_id: str, region: str | None = None) -> None:
    """Record that ``person`` did a regional first-login step (as the onboarding page does)."""
    with app.app_context():
        requirement = services().rules.requirement(requirement_id)
        assert requirement is not None
        people.remember(str(person["oid"]), region=region or person["region_code"])
        people.complete(
            str(person["oid"]), requirement, region=region or person["region_code"], details={}, token_jti=None
        )


def count(app: Flask, model: type, **where: Any) -> int:
    with app.app_context():
        stmt: Select[Any] = select(model)
        for name, value in where.items():
            stmt = stmt.where(getattr(model, name) == value)
        return len(db.session.scalars(stmt).all())


def start_login(client: FlaskClient, path: str = "/auth/login") -> dict[str, str]:
    """Start a browser login at the RP; the authorization request's parameters."""
    response = client.get(path)
    assert response.status_code == 302, response.get_data(as_text=True)
    location = urlsplit(response.headers["Location"])
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    return {"endpoint": f"{location.scheme}://{location.netloc}{location.path}", **query}


def persona_userinfo(person: dict[str, Any]) -> dict[str, Any]:
    """What the IdP's userinfo says about a persona for the RP's login scopes."""
    info = {
        "family_name": person["surname"],
        "given_name": person["name"],
        "middle_name": person.get("patronymic"),
        "account_level": person["level"],
        "region": person["region_code"],
        "roles": list(person["roles"]),
    }
    for claim, key in (("snils", "snils"), ("oms_policy", "oms_policy"), ("birthdate", "birth_date")):
        if key in person:
            info[claim] = person[key]
    if "snils" in person:
        info["snils_verified"] = person["level"] != "simplified"
    return info


def browser_login(
    client: FlaskClient,
    idp: FakeIdp,
    person: dict[str, Any],
    path: str = "/auth/login",
    *,
    access: dict[str, Any] | None = None,
    userinfo: dict[str, Any] | None = None,
) -> Any:
    """Log ``person`` in through the loopback IdP; the RP's answer to the callback."""
    request = start_login(client, path)
    grant = idp.grant_for(
        request,
        str(person["oid"]),
        userinfo={**persona_userinfo(person), **(userinfo or {})},
        access_token_overrides={**persona_claims(person), **(access or {})},
    )
    code = idp.approve(grant)
    return client.get("/auth/callback", query_string={"code": code, "state": request["state"], "iss": idp.issuer})
