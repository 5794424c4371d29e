"""Registration as in the seed: contacts + password → SMS → profile."""

from __future__ import annotations

from typing import Any

from tests.support.flows import outbox_code
from tests.support.oidc_client import csrf_token
from tests.support.present import present
from tests.support.registration import confirm_step, contacts_step

NEW_PHONE = "+79035550011"
GOOD_PASSWORD = "Sinyaya-Reka-Tumannaya-7"


def _step1(client: Any, **fields: str) -> Any:
    defaults = {"phone": NEW_PHONE, "email": "new.person@example.ru", "password": GOOD_PASSWORD}
    return contacts_step(client, lang="en", **{**defaults, **fields})


PROFILE = {
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


def test_register_confirm_and_fill_profile(app: Any, client: Any) -> None:
    resp = _step1(client)
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/register/confirm")
    resp = confirm_step(client, outbox_code(client, NEW_PHONE))
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/register/profile")
    page = client.get("/register/profile")
    resp = client.post("/register/profile", data={"csrf_token": csrf_token(page.text), **PROFILE})
    assert resp.status_code == 303, resp.text
    cabinet = client.get("/profile?lang=en")
    assert "Орлова Анна Викторовна" in cabinet.text and "11223344595" in cabinet.text
    from sqlalchemy import select

    from idp.accounts.models import Person
    from idp.storage.db import db

    with app.app_context():
        person = present(db.session.scalar(select(Person).where(Person.phone == NEW_PHONE)))
        assert person.level == "simplified" and person.phone_verified
        assert person.password_hash.startswith("$argon2id$") and GOOD_PASSWORD not in person.password_hash


def test_each_invalid_field_is_named(client: Any) -> None:
    resp = _step1(client, phone="123", email="not-an-email", password="12345", password_confirm="54321")
    assert resp.status_code == 400
    for field in ("phone", "email", "password", "password_confirm"):
        assert f'id="{field}-error"' in resp.text, field


def test_invalid_profile_fields_are_named_and_nothing_is_saved(app: Any, client: Any) -> None:
    _step1(client)
    confirm_step(client, outbox_code(client, NEW_PHONE))
    page = client.get("/register/profile?lang=en")
    bad = {**PROFILE, "snils": "112-233-445 96", "birth_date": "2090-01-01", "passport_number": "12"}
    resp = client.post("/register/profile", data={"csrf_token": csrf_token(page.text), **bad})
    assert resp.status_code == 400
    for field in ("snils", "birth_date", "passport_number"):
        assert f'id="{field}-error"' in resp.text, field
    from sqlalchemy import select

    from idp.accounts.models import Person
    from idp.storage.db import db

    with app.app_context():
        assert db.session.scalar(select(Person.surname).where(Person.phone == NEW_PHONE)) is None


def test_taken_phone_does_not_reveal_the_account(client: Any, personas: dict) -> None:
    phone = personas["patient_moscow"]["phone"]
    resp = _step1(client, phone=phone, email="someone.else@example.ru")
    assert resp.status_code == 303  # same as for a free number
    message = client.get("/dev/outbox", query_string={"to": phone}).get_json()[0]["body"]
    assert "уже зарегистрирована" in message
    resp = confirm_step(client, "123456")
    assert resp.status_code == 401 and "LOGIN-010" in resp.text
