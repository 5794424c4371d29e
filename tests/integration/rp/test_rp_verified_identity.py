"""A medical record is linked only through a SNILS the IdP confirmed (issue 9 item 2, the RP side).

The attack: a new, simplified Gosuslugi account types a stranger's SNILS (here a child's, whose
card is in region 05) and signs in to read that card. And a known person whose confirmed SNILS
changes is never silently re-linked to another record: the person confirms the change first.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from relying_party_demo.models import ChangeRecord, PersonLink, db
from relying_party_demo.testing import FakeIdp, bearer, csrf_token_from
from tests.integration.rp.helpers import browser_login, card_id, count, persona_claims
from tests.support.present import present
from tests.support.rp import BOTH, PERSON_SCOPES, RS, Persona, TokenFactory

pytestmark = pytest.mark.parametrize("rp_backend", BOTH, indirect=True)

CHILD_SNILS = "20791234555"  # Абдуллаева Зарема, 2016, region 05 (config/egisz_seed.toml)
STRANGER: Persona = {  # a simplified account that typed the child's SNILS into its profile
    "oid": 1000999001,
    "surname": "Абдуллаева",
    "name": "Зарема",
    "level": "simplified",
    "roles": ["patient"],
    "region_code": "05",
    "snils": CHILD_SNILS,
}


def _api_token(idp: FakeIdp, person: Persona, userinfo: dict[str, Any]) -> str:
    token = idp.access_token(str(person["oid"]), f"{PERSON_SCOPES} {RS}", **persona_claims(person))
    idp.set_userinfo(token, userinfo)
    return token


def test_a_typed_snils_does_not_open_that_persons_card(client: FlaskClient, app: Flask, idp: FakeIdp) -> None:
    child_card = card_id(app, CHILD_SNILS)
    browser_login(client, idp, STRANGER)
    for path in (f"/cards/{child_card}", "/card"):
        page = client.get(path)
        assert page.status_code == 403, path
        for shown in ("identity_not_verified", "Ваш СНИЛС не подтверждён на Госуслугах", "05 — Республика Дагестан",
                      "+7 800 000-05-05, support05@egisz.example", "/profile/security/level"):  # fmt: skip
            assert shown in page.text, (path, shown)
        assert "Профилактический осмотр" not in page.text
    token = _api_token(idp, STRANGER, {"snils": CHILD_SNILS, "snils_verified": False, "account_level": "simplified"})
    for path in (f"/api/cards/{child_card}", "/api/patients"):
        response = client.get(path, headers=bearer(token))
        assert response.status_code == 403, path
        body = response.get_json()
        assert body["error"] == "access_denied" and body["reason"] == "identity_not_verified"
    me = client.get("/api/me", headers=bearer(token)).get_json()
    assert me["identity"] == "not_verified" and me["card_id"] is None


def test_without_snils_verified_the_account_level_decides(client: FlaskClient, app: Flask, idp: FakeIdp) -> None:
    child_card = card_id(app, CHILD_SNILS)
    typed = _api_token(idp, STRANGER, {"snils": CHILD_SNILS, "account_level": "simplified"})
    assert client.get(f"/api/cards/{child_card}", headers=bearer(typed)).get_json()["reason"] == "identity_not_verified"
    checked = _api_token(idp, STRANGER, {"snils": CHILD_SNILS, "account_level": "standard"})
    assert client.get(f"/api/cards/{child_card}", headers=bearer(checked)).status_code == 200


def test_a_link_made_from_an_unconfirmed_snils_before_links_nothing(
    client: FlaskClient, app: Flask, idp: FakeIdp
) -> None:
    with app.app_context():  # as the service linked logins before confirmed SNILS were required
        db.session.add(PersonLink(sub=str(STRANGER["oid"]), snils=CHILD_SNILS, accepted_region="05"))
        db.session.commit()
    token = idp.access_token(str(STRANGER["oid"]), f"openid region roles {RS}", **persona_claims(STRANGER))
    response = client.get(f"/api/cards/{card_id(app, CHILD_SNILS)}", headers=bearer(token))
    assert response.status_code == 403 and response.get_json()["reason"] == "no_medical_record"


def test_a_changed_confirmed_snils_is_refused_until_the_person_confirms_it(
    client: FlaskClient, app: Flask, idp: FakeIdp, personas: dict[str, Persona]
) -> None:
    person = {**personas["patient_moscow"], "region_code": "50"}  # region 50: no regional steps
    own_card, child_card = card_id(app, person["snils"]), card_id(app, CHILD_SNILS)
    browser_login(client, idp, person)
    assert client.get(f"/cards/{own_card}").status_code == 200
    changed = {"snils": CHILD_SNILS, "snils_verified": True}
    assert browser_login(client, idp, person, userinfo=changed).headers["Location"] == "/onboarding"
    for path in (f"/cards/{child_card}", f"/cards/{own_card}"):
        page = client.get(path)
        assert page.status_code == 403 and "snils_changed" in page.text and 'href="/onboarding"' in page.text
    token = _api_token(idp, person, changed)
    assert client.get(f"/api/cards/{child_card}", headers=bearer(token)).get_json()["reason"] == "snils_changed"
    onboarding = client.get("/onboarding").text
    assert "207-912-345 55" in onboarding and "158-214-630 61" in onboarding
    with app.app_context():
        assert present(db.session.get(PersonLink, str(person["oid"]))).snils == person["snils"]  # not re-linked

    csrf = csrf_token_from(onboarding)
    assert client.post("/onboarding/snils", data={"csrf_token": csrf}).status_code == 303
    assert client.get(f"/cards/{child_card}").status_code == 200
    assert client.get(f"/cards/{own_card}").status_code == 403
    assert count(app, ChangeRecord, action="snils_confirmed") == 1
    with app.app_context():
        (record,) = db.session.query(ChangeRecord).filter_by(action="snils_confirmed").all()
        assert record.details == {"from": person["snils"], "to": CHILD_SNILS}


def test_a_doctor_with_an_unconfirmed_snils_opens_no_cards(
    client: FlaskClient, app: Flask, token_for: TokenFactory, idp: FakeIdp, personas: dict[str, Persona]
) -> None:
    doctor = personas["doctor_moscow"]
    token = _api_token(idp, doctor, {"snils": doctor["snils"], "snils_verified": False})
    response = client.get("/api/patients", headers=bearer(token))
    assert response.status_code == 403 and response.get_json()["reason"] == "identity_not_verified"
    assert client.get("/api/patients", headers=bearer(token_for("doctor_moscow"))).status_code == 200
