"""The ESIA person API says what was verified (issue 9 item 2): ``trusted`` for a confirmed
account, ``vrfStu`` per document (the passport from the standard level on), and the gosid
extension ``snilsVrfStu``; a typed SNILS or a changed passport is ``NOT_VERIFIED``."""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.integration.esia.esia_flow import EsiaSystem, ac_url, authorize
from tests.support.present import present


def _person_api(client: Any, system: EsiaSystem, persona: dict[str, Any]) -> dict[str, Any]:
    back = authorize(client, ac_url("/aas/oauth2/ac", system.ac_v1()), persona)
    tokens = client.post("/aas/oauth2/te", data=system.te_v1(back["code"])).get_json()
    payload = tokens["access_token"].split(".")[1]
    oid = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["urn:esia:sbj_id"]
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    person = client.get(f"/rs/prns/{oid}", headers=auth).get_json()
    docs = client.get(f"/rs/prns/{oid}/docs?embed=(elements)", headers=auth).get_json()["elements"]
    person["docs"] = {d["type"]: d["vrfStu"] for d in docs}
    return person


def test_a_standard_account_has_a_verified_snils_and_passport_but_is_not_trusted(
    app: Any, rsa_system: EsiaSystem, personas: dict[str, Any]
) -> None:
    person = _person_api(app.test_client(), rsa_system, personas["patient_standard_spb"])
    assert person["trusted"] is False and person["snilsVrfStu"] == "VERIFIED"
    assert person["docs"] == {"RF_PASSPORT": "VERIFIED", "MDCL_PLCY": "NOT_VERIFIED"}
    confirmed = _person_api(app.test_client(), rsa_system, personas["patient_moscow"])
    assert confirmed["trusted"] is True and confirmed["snilsVrfStu"] == "VERIFIED"
    assert confirmed["docs"] == {"RF_PASSPORT": "VERIFIED", "MDCL_PLCY": "VERIFIED"}


def test_typed_or_changed_data_is_not_verified(app: Any, rsa_system: EsiaSystem, personas: dict[str, Any]) -> None:
    from idp.accounts.models import Person
    from idp.storage.db import db

    persona = personas["patient_moscow"]
    with app.app_context():
        person = present(db.session.get(Person, persona["oid"]))
        person.passport_number = "999999"  # not through the cabinet: the level is not even lowered
        db.session.commit()
    changed = _person_api(app.test_client(), rsa_system, persona)
    assert changed["docs"]["RF_PASSPORT"] == "NOT_VERIFIED" and changed["snilsVrfStu"] == "VERIFIED"
    assert changed["trusted"] is False
    with app.app_context():
        person = present(db.session.get(Person, personas["simplified_account"]["oid"]))
        person.snils, person.passport_series, person.passport_number = "20791234555", "4610", "123456"
        db.session.commit()
    typed = _person_api(app.test_client(), rsa_system, personas["simplified_account"])
    assert typed["trusted"] is False and typed["snilsVrfStu"] == "NOT_VERIFIED"
    assert typed["docs"] == {"RF_PASSPORT": "NOT_VERIFIED"}
