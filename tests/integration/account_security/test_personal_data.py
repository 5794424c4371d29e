"""Typed identity data is not verified identity data (issue 9 item 2, the IdP side).

Registration's step 3 fills the profile once; afterwards ``/register/profile`` changes nothing.
Personal data changes in the cabinet, after a fresh login, with a notice and an audit event; a
change of the identity data puts a standard account back to simplified. The claims say what is
verified: ``account_level``, ``snils_verified`` and IDA ``verified_claims``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.integration.account_security.test_levels import InProcessRegistry
from tests.support.audit_log import audit_events
from tests.support.flows import outbox_code, password_step, sms_step
from tests.support.handmade_jwts import decode_part
from tests.support.oidc_client import csrf_token
from tests.support.present import present
from tests.support.registration import new_account
from tests.support.sign_in import bearer, sign_in

CHILD_SNILS = "20791234555"  # a child's medical card in region 05 (config/egisz_seed.toml), no IdP account
NEW_PHONE = "+79035550077"
PASSWORD = "Sinyaya-Reka-Tumannaya-7"
SCOPE = "openid profile snils"
OWN_PROFILE = {
    "surname": "Орлова",
    "name": "Анна",
    "patronymic": "Викторовна",
    "birth_date": "1991-05-20",
    "gender": "F",
    "snils": "112-233-445 95",
    "passport_series": "4512",
    "passport_number": "345678",
    "passport_issue_date": "2011-06-01",
    "region_code": "77",
    "address": "г. Москва, ул. Тверская, д. 1, кв. 5",
}


def _person(app: Any, oid: int) -> Any:
    from idp.accounts.models import Person
    from idp.storage.db import db

    with app.app_context():
        person = db.session.get(Person, oid)
        db.session.expunge(person)
        return person


def _oid_of(app: Any, phone: str) -> int:
    from sqlalchemy import select

    from idp.accounts.models import Person
    from idp.storage.db import db

    with app.app_context():
        return int(present(db.session.scalar(select(Person.oid).where(Person.phone == phone))))


def _post(client: Any, path: str, data: dict[str, str]) -> Any:
    token = csrf_token(client.get("/profile").text)  # the cabinet's logout form carries the token
    return client.post(path, data={"csrf_token": token, **data})


def _log_in(client: Any, persona: dict[str, Any]) -> None:
    client.get("/login")
    assert password_step(client, persona["phone"], persona["password"]).status_code == 303
    assert sms_step(client, outbox_code(client, persona["phone"])).status_code == 303


def _form(persona: dict[str, Any], **changes: str) -> dict[str, str]:
    """The persona's data as the profile form posts it, with ``changes``."""
    keys = ("surname", "name", "patronymic", "birth_date", "gender", "snils", "passport_series", "passport_number",
            "passport_issue_date", "inn", "oms_policy", "region_code", "address")  # fmt: skip
    return {**{k: str(persona[k]) for k in keys if k in persona}, **changes}


# --- /register/profile after the profile is complete -------------------------------------------


def test_a_simplified_account_cannot_swap_in_a_strangers_snils_after_registration(app: Any, client: Any) -> None:
    new_account(client, phone=NEW_PHONE, email="anna.orlova@example.ru", password=PASSWORD)
    assert _post(client, "/register/profile", OWN_PROFILE).status_code == 303
    oid = _oid_of(app, NEW_PHONE)
    attack = {**OWN_PROFILE, "snils": CHILD_SNILS, "surname": "Абдуллаева"}
    resp = _post(client, "/register/profile", attack)
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/profile/personal-data")
    person = _person(app, oid)
    assert (person.snils, person.surname, person.level) == ("11223344595", "Орлова", "simplified")
    assert [e.result for e in audit_events(app, "profile_updated")] == ["ok", "already_complete"]
    assert client.get("/register/profile").headers["Location"].endswith("/profile/personal-data")


def test_a_standard_account_cannot_rewrite_itself_through_registration(
    app: Any, client: Any, personas: dict[str, Any]
) -> None:
    persona = personas["patient_standard_spb"]
    _log_in(client, persona)
    resp = _post(client, "/register/profile", _form(persona, snils=CHILD_SNILS, surname="Абдуллаева"))
    assert resp.status_code == 303 and "/register" not in resp.headers["Location"]
    person = _person(app, persona["oid"])
    assert (person.snils, person.surname, person.level) == (persona["snils"], persona["surname"], "standard")


# --- the cabinet's personal data flow ----------------------------------------------------------


def test_changing_identity_data_in_the_cabinet_lowers_the_level_notifies_and_audits(
    app: Any, client: Any, personas: dict[str, Any]
) -> None:
    persona = personas["patient_standard_spb"]
    _log_in(client, persona)
    before = sign_in(client, persona, scope=SCOPE)
    assert decode_part(before.id_token, 1)["snils_verified"] is True
    assert client.get("/profile/personal-data").status_code == 200
    resp = _post(client, "/profile/personal-data", _form(persona, snils="112-233-445 95", surname="Петрова"))
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/profile")
    person = _person(app, persona["oid"])
    assert (person.snils, person.surname, person.level) == ("11223344595", "Петрова", "simplified")
    assert person.verified_snapshot is None and person.level_evidence is None
    sms = client.get("/dev/outbox", query_string={"to": persona["phone"]}).get_json()[0]["body"]
    assert "изменены личные данные (фамилия, СНИЛС)" in sms and "снова упрощённая" in sms
    mail = client.get("/dev/outbox", query_string={"to": persona["email"]}).get_json()[0]
    assert mail["subject"] == "Госуслуги (gosid): изменены личные данные"
    (changed,) = audit_events(app, "personal_data_changed")
    assert changed.person_oid == persona["oid"] and changed.detail["fields"] == ["surname", "snils"]
    (lowered,) = audit_events(app, "account_level_lowered")
    assert lowered.detail == {"level": "simplified", "previous": "standard", "reason": "identity_data_changed",
                              "fields": ["surname", "snils"]}  # fmt: skip
    after = sign_in(client, persona, scope=SCOPE)
    for claims in (decode_part(after.id_token, 1), client.get("/userinfo", headers=bearer(after.access_token)).json):
        assert claims["account_level"] == "simplified" and claims["snils"] == "11223344595"
        assert claims["snils_verified"] is False and "verified_claims" not in claims


def test_the_change_needs_a_recent_login_and_changes_nothing_without_it(
    app: Any, client: Any, personas: dict[str, Any]
) -> None:
    persona = personas["patient_standard_spb"]
    _log_in(client, persona)
    object.__setattr__(app.extensions["gosid"].settings, "reauth_max_age", -1)
    assert "/login" in client.get("/profile/personal-data").headers["Location"]
    resp = _post(client, "/profile/personal-data", _form(persona, snils=CHILD_SNILS))
    assert "/login" in resp.headers["Location"]
    assert _person(app, persona["oid"]).snils == persona["snils"]
    assert audit_events(app, "personal_data_changed") == []


def test_a_new_address_keeps_the_level_and_is_announced(app: Any, client: Any, personas: dict[str, Any]) -> None:
    persona = personas["patient_moscow"]
    _log_in(client, persona)
    moved = _form(persona, region_code="50", address="Московская обл., г. Химки, ул. Мира, д. 3")
    assert _post(client, "/profile/personal-data", moved).status_code == 303
    person = _person(app, persona["oid"])
    assert (person.region_code, person.level) == ("50", "confirmed")
    sms = client.get("/dev/outbox", query_string={"to": persona["phone"]}).get_json()[0]["body"]
    assert "(регион, адрес регистрации)" in sms and "упрощённая" not in sms
    assert audit_events(app, "account_level_lowered") == []
    claims = decode_part(sign_in(client, persona, scope=SCOPE).id_token, 1)
    assert claims["snils_verified"] is True and claims["verified_claims"]["claims"]["snils"] == persona["snils"]


def test_an_invalid_or_unchanged_form_changes_nothing(app: Any, client: Any, personas: dict[str, Any]) -> None:
    persona = personas["patient_standard_spb"]
    _log_in(client, persona)
    bad = _post(client, "/profile/personal-data?lang=en", _form(persona, snils="112-233-445 96", surname=""))
    assert bad.status_code == 400 and 'id="snils-error"' in bad.text and 'id="surname-error"' in bad.text
    taken = _post(client, "/profile/personal-data", _form(persona, snils=personas["patient_moscow"]["snils"]))
    assert taken.status_code == 400 and 'id="snils-error"' in taken.text
    same = _post(client, "/profile/personal-data", _form(persona))
    assert same.status_code == 303
    person = _person(app, persona["oid"])
    assert (person.snils, person.level) == (persona["snils"], "standard")
    assert audit_events(app, "personal_data_changed") == []


# --- what the claims say -------------------------------------------------------------------------


def test_a_typed_snils_is_released_as_not_verified(app: Any, client: Any) -> None:
    new_account(client, phone=NEW_PHONE, email="anna.orlova@example.ru", password=PASSWORD)
    assert _post(client, "/register/profile", {**OWN_PROFILE, "snils": CHILD_SNILS}).status_code == 303
    persona = {"phone": NEW_PHONE, "password": PASSWORD}
    done = sign_in(client, persona, scope=SCOPE)
    for claims in (decode_part(done.id_token, 1), client.get("/userinfo", headers=bearer(done.access_token)).json):
        assert claims["snils"] == CHILD_SNILS and claims["snils_verified"] is False
        assert claims["account_level"] == "simplified" and "verified_claims" not in claims


def test_verified_claims_name_the_verification_and_the_data_it_checked(
    app: Any, client: Any, personas: dict[str, Any]
) -> None:
    from idp.accounts.models import Person
    from idp.storage.db import db

    persona = personas["simplified_account"]
    object.__setattr__(app.extensions["gosid"], "registry", InProcessRegistry())
    _log_in(client, persona)
    with app.app_context():
        person = present(db.session.get(Person, persona["oid"]))
        person.birth_date, person.snils = date(1996, 2, 3), "18756395004"
        person.passport_series, person.passport_number = "4610", "123456"
        db.session.commit()
    token = csrf_token(client.get("/profile/security/level").text)
    assert client.post("/profile/security/level/registry", data={"csrf_token": token}).status_code == 303
    claims = decode_part(sign_in(client, persona, scope=SCOPE).id_token, 1)
    verified = claims["verified_claims"]
    assert verified["claims"] == {"family_name": persona["surname"], "given_name": persona["name"],
                                  "middle_name": persona["patronymic"], "birthdate": "1996-02-03",
                                  "snils": "18756395004"}  # fmt: skip
    assert verified["verification"]["trust_framework"] == "ru_esia"
    assert verified["verification"]["assurance_level"] == "standard"
    (evidence,) = verified["verification"]["evidence"]
    assert evidence["type"] == "electronic_record" and evidence["record"]["type"] == "population_register"
    assert evidence["time"].endswith("Z") and verified["verification"]["time"] == evidence["time"]
    meta = client.get("/.well-known/openid-configuration").get_json()
    assert meta["verified_claims_supported"] is True
    assert verified["verification"]["trust_framework"] in meta["trust_frameworks_supported"]
    assert evidence["type"] in meta["evidence_supported"]
    assert evidence["record"]["type"] in meta["electronic_records_supported"]
    assert set(verified["claims"]) <= set(meta["claims_in_verified_claims_supported"])
    assert {"verified_claims", "snils_verified", "account_level"} <= set(meta["claims_supported"])
