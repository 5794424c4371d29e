"""Password and SMS steps: same answer for unknown accounts, code limits, resend cooldown."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.support.flows import RP_REDIRECT, outbox_code, password_step, sms_step
from tests.support.oidc_client import AuthRequest, csrf_token

CSRF_VALUE = re.compile(r'name="csrf_token" value="[^"]+"')


def _start(client: Any) -> None:
    req = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT)
    assert client.get("/authorize?" + req.query()).status_code == 302


def test_unknown_account_and_wrong_password_look_the_same(client: Any, personas: dict) -> None:
    _start(client)
    unknown = password_step(client, "+79990001122", "Whatever-Password-1")
    wrong = password_step(client, personas["patient_moscow"]["phone"], "Wrong-Password-123")
    assert unknown.status_code == wrong.status_code == 401
    assert "LOGIN-001" in unknown.text and "LOGIN-001" in wrong.text

    def normalized(text: str, login: str) -> str:
        return CSRF_VALUE.sub("", text.replace(login, ""))

    assert normalized(unknown.text, "+79990001122") == normalized(wrong.text, personas["patient_moscow"]["phone"])


@pytest.mark.parametrize("login_field", ["phone", "email", "snils"])
def test_login_by_phone_email_or_snils(client: Any, personas: dict, login_field: str) -> None:
    patient = personas["patient_moscow"]
    _start(client)
    resp = password_step(client, patient[login_field], patient["password"])
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/login/sms")


def test_sms_step_without_password_is_refused(client: Any) -> None:
    _start(client)
    page = client.get("/login/sms")
    assert page.status_code == 400 and "LOGIN-003" in page.text


def test_wrong_code_then_right_code(client: Any, personas: dict) -> None:
    patient = personas["patient_moscow"]
    _start(client)
    password_step(client, patient["phone"], patient["password"])
    code = outbox_code(client, patient["phone"])
    wrong = sms_step(client, "000000" if code != "000000" else "111111")
    assert wrong.status_code == 401 and "LOGIN-010" in wrong.text
    right = sms_step(client, code)
    assert right.status_code == 303 and right.headers["Location"].startswith("/authorize?")


def test_three_wrong_codes_burn_the_code(client: Any, personas: dict) -> None:
    patient = personas["patient_moscow"]
    _start(client)
    password_step(client, patient["phone"], patient["password"])
    code = outbox_code(client, patient["phone"])
    bad = "000000" if code != "000000" else "111111"
    for _ in range(3):
        assert sms_step(client, bad).status_code == 401
    after = sms_step(client, code)
    assert after.status_code == 401 and "LOGIN-011" in after.text


def test_resend_is_refused_within_cooldown(client: Any, personas: dict) -> None:
    patient = personas["patient_moscow"]
    _start(client)
    password_step(client, patient["phone"], patient["password"])
    page = client.get("/login/sms")
    resp = client.post("/login/sms/resend", data={"csrf_token": csrf_token(page.text)})
    assert resp.status_code == 429 and "LOGIN-012" in resp.text
    assert len(client.get("/dev/outbox", query_string={"to": patient["phone"]}).get_json()) == 1


def test_code_expires(app: Any, personas: dict) -> None:
    from idp.factors.sms import SmsCodeFactor

    svc = app.extensions["gosid"]
    short = SmsCodeFactor(store=svc.store, sender=svc.sender, ttl=1, attempts=3, cooldown=1)
    object.__setattr__(svc.login, "sms", short)
    client = app.test_client()
    patient = personas["patient_moscow"]
    _start(client)
    password_step(client, patient["phone"], patient["password"])
    code = outbox_code(client, patient["phone"])
    time.sleep(2.1)
    resp = sms_step(client, code)
    assert resp.status_code == 401 and "LOGIN-011" in resp.text


def test_code_is_stored_hashed(app: Any, client: Any, personas: dict) -> None:
    patient = personas["patient_moscow"]
    _start(client)
    password_step(client, patient["phone"], patient["password"])
    code = outbox_code(client, patient["phone"])
    store = app.extensions["gosid"].store
    if hasattr(store, "_data"):
        values = [v for v, _ in store._data.values()]
    else:
        values = [store._redis.get(k) or "" for k in store._redis.scan_iter(store._prefix + "*")]
    assert any("hash" in v for v in values), "the SMS state should be in the store"
    assert all(code not in v for v in values)


def test_session_cookie_changes_after_login(client: Any, personas: dict) -> None:
    patient = personas["patient_moscow"]
    _start(client)
    before = client.get_cookie("gosid_idp_session").value
    password_step(client, patient["phone"], patient["password"])
    sms_step(client, outbox_code(client, patient["phone"]))
    after = client.get_cookie("gosid_idp_session")
    assert after is not None and after.value != before and after.http_only
