"""Password change and reset: policy, history, same answers for unknown accounts, sessions end."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.flows import outbox_code, password_step, sms_step
from tests.support.oidc_client import csrf_token
from tests.support.present import present

NEW = "Sinii-Trolleybus-Vecherom-9"


@pytest.fixture
def patient(personas: dict) -> dict[str, Any]:
    return personas["patient_moscow"]


def sign_in(client: Any, persona: dict, password: str | None = None) -> None:
    client.get("/login")
    assert password_step(client, persona["phone"], password or persona["password"]).status_code == 303
    assert sms_step(client, outbox_code(client, persona["phone"])).status_code == 303


def change(client: Any, current: str, new: str, confirm: str | None = None) -> Any:
    page = client.get("/profile/security/password")
    assert page.status_code == 200
    data = {"csrf_token": csrf_token(page.text), "current_password": current, "password": new,
            "password_confirm": confirm if confirm is not None else new}  # fmt: skip
    return client.post("/profile/security/password", data=data)


def test_change_ends_other_sessions_and_keeps_this_one(app: Any, patient: dict) -> None:
    here, there = app.test_client(), app.test_client()
    sign_in(here, patient)
    sign_in(there, patient)
    resp = change(here, patient["password"], NEW)
    assert resp.status_code == 303
    assert here.get("/profile").status_code == 200
    assert there.get("/profile").status_code == 302
    body = here.get("/dev/outbox", query_string={"to": patient["phone"]}).get_json()[0]["body"]
    assert "изменён пароль" in body
    fresh = app.test_client()
    fresh.get("/login")
    assert password_step(fresh, patient["phone"], NEW).status_code == 303


def test_change_needs_the_current_password_and_the_policy(client: Any, patient: dict) -> None:
    sign_in(client, patient)
    wrong = change(client, "wrong-Password-1", NEW)
    assert wrong.status_code == 400 and 'id="current_password-error"' in wrong.text
    weak = change(client, patient["password"], "мой длинный пароль")  # one kind of characters + spaces
    assert weak.status_code == 400 and "три из четырёх" in weak.text
    assert change(client, patient["password"], NEW, NEW + "x").status_code == 400


def test_the_last_five_passwords_are_refused(app: Any, client: Any, patient: dict) -> None:
    sign_in(client, patient)
    assert change(client, patient["password"], NEW).status_code == 303
    again = change(client, NEW, patient["password"])
    assert again.status_code == 400 and 'id="password-error"' in again.text


def test_change_requires_a_recent_login(app: Any, client: Any, patient: dict) -> None:
    sign_in(client, patient)
    object.__setattr__(app.extensions["gosid"].settings, "reauth_max_age", -1)
    assert "/login" in client.get("/profile/security/password").headers["Location"]


def _reset_start(client: Any, login: str) -> Any:
    page = client.get("/password/reset")
    return client.post("/password/reset", data={"csrf_token": csrf_token(page.text), "login": login})


def _reset_code(client: Any, code: str) -> Any:
    page = client.get("/password/reset/code")
    return client.post("/password/reset/code", data={"csrf_token": csrf_token(page.text), "code": code})


def _reset_new(client: Any, new: str) -> Any:
    page = client.get("/password/reset/new")
    return client.post("/password/reset/new", data={"csrf_token": csrf_token(page.text), "password": new,
                                                    "password_confirm": new})  # fmt: skip


def test_reset_by_phone_ends_everything_and_does_not_sign_in(app: Any, patient: dict) -> None:
    signed = app.test_client()
    sign_in(signed, patient)
    client = app.test_client()
    assert _reset_start(client, patient["phone"]).status_code == 303
    assert _reset_code(client, outbox_code(client, patient["phone"])).status_code == 303
    done = _reset_new(client, NEW)
    assert done.status_code == 200 and "вторым фактором" in done.text
    assert client.get("/profile").status_code == 302  # not signed in: the second factor is still due
    assert signed.get("/profile").status_code == 302  # every other session ended
    client.get("/login")
    assert password_step(client, patient["phone"], NEW).headers["Location"].endswith("/login/sms")


def test_reset_by_email(app: Any, client: Any, patient: dict) -> None:
    _reset_start(client, patient["email"])
    mail = client.get("/dev/outbox", query_string={"to": patient["email"]}).get_json()[0]
    code = present(re.search(r"\b(\d{6})\b", mail["body"])).group(1)
    assert _reset_code(client, code).status_code == 303
    assert _reset_new(client, NEW).status_code == 200


def test_reset_answers_the_same_for_unknown_accounts(app: Any, patient: dict) -> None:
    known, unknown = app.test_client(), app.test_client()
    a, b = _reset_start(known, patient["phone"]), _reset_start(unknown, "+79990001122")
    assert a.status_code == b.status_code == 303 and a.headers["Location"] == b.headers["Location"]
    page_a, page_b = known.get("/password/reset/code").text, unknown.get("/password/reset/code").text
    strip = re.compile(r'name="csrf_token" value="[^"]+"')
    assert strip.sub("", page_a) == strip.sub("", page_b)
    assert unknown.get("/dev/outbox", query_string={"to": "+79990001122"}).get_json() == []
    wrong = _reset_code(unknown, "123456")
    assert wrong.status_code == 401 and "LOGIN-010" in wrong.text


def test_reset_code_attempts_and_skipping_are_refused(client: Any, patient: dict) -> None:
    _reset_start(client, patient["phone"])
    code = outbox_code(client, patient["phone"])
    bad = "000000" if code != "000000" else "111111"
    assert _reset_code(client, bad).status_code == 401
    assert client.get("/password/reset/new").status_code == 401  # no skipping the code
    _reset_code(client, bad)
    assert _reset_code(client, bad).status_code == 401
    assert "LOGIN-011" in _reset_code(client, code).text  # burnt after three tries


def test_reset_applies_the_policy(client: Any, patient: dict) -> None:
    _reset_start(client, patient["phone"])
    _reset_code(client, outbox_code(client, patient["phone"]))
    assert _reset_new(client, patient["password"]).status_code == 400  # the current one: reused
    assert _reset_new(client, "short").status_code == 400
