"""Brute force (captcha, growing temporary locks), SMS send limits, the sessions page, new-device
notifications, and changing the phone or e-mail."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.captcha import captcha_answer
from tests.support.flows import outbox_code, password_step, sms_step
from tests.support.oidc_client import csrf_token
from tests.support.present import present


@pytest.fixture
def patient(personas: dict) -> dict[str, Any]:
    return personas["patient_moscow"]


def sign_in(client: Any, persona: dict) -> None:
    client.get("/login")
    assert password_step(client, persona["phone"], persona["password"]).status_code == 303
    assert sms_step(client, outbox_code(client, persona["phone"])).status_code == 303


def _answer(app: Any, client: Any) -> str:
    with client.session_transaction() as sess:
        captcha_id = sess["captcha_id"]
    return captcha_answer(app, captcha_id) or ""


def _post_password(client: Any, login: str, password: str, captcha: str = "") -> Any:
    page = client.get("/login")
    data = {"csrf_token": csrf_token(page.text), "login": login, "password": password, "captcha": captcha}
    return client.post("/login", data=data)


def test_captcha_after_three_failures_then_growing_locks(app: Any, client: Any, patient: dict) -> None:
    from idp.audit.models import AuditEvent

    for _ in range(3):
        assert _post_password(client, patient["phone"], "Wrong-Password-1").status_code == 401
    page = client.get("/login", query_string={"login_hint": patient["phone"]})
    assert 'id="captcha"' in page.text
    assert client.get("/login/captcha.png").mimetype == "image/png"
    # the right password without the captcha is not even checked
    missing = _post_password(client, patient["phone"], patient["password"])
    assert missing.status_code == 401 and "LOGIN-031" in missing.text
    for _ in range(7):
        client.get("/login/captcha.png")
        resp = _post_password(client, patient["phone"], "Wrong-Password-1", _answer(app, client))
        assert resp.status_code == 401 and "LOGIN-001" in resp.text
    client.get("/login/captcha.png")
    locked = _post_password(client, patient["phone"], patient["password"], _answer(app, client))
    assert locked.status_code == 429 and "LOGIN-030" in locked.text
    store = app.extensions["gosid"].store
    assert 50 <= store.ttl("bf-lock:oid:1000300101") <= 60
    # the next lock is longer (2 min), never permanent (at most an hour)
    store.delete("bf-lock:oid:1000300101")
    for _ in range(10):
        client.get("/login/captcha.png")
        _post_password(client, patient["phone"], "Wrong-Password-1", _answer(app, client))
    assert 110 <= store.ttl("bf-lock:oid:1000300101") <= 120
    with app.app_context():
        assert AuditEvent.query.filter_by(event="login_locked").count() == 2
        assert AuditEvent.query.filter_by(event="login_password", result="locked").count() >= 1


def test_unknown_accounts_get_the_same_captcha(client: Any) -> None:
    for _ in range(3):
        _post_password(client, "+79990001122", "Wrong-Password-1")
    assert 'id="captcha"' in client.get("/login", query_string={"login_hint": "+79990001122"}).text


def test_a_lock_on_one_account_leaves_others_alone(app: Any, client: Any, patient: dict, personas: dict) -> None:
    app.extensions["gosid"].store.set("bf-lock:oid:1000300101", "1", ttl=60)
    locked = _post_password(client, patient["phone"], patient["password"])
    assert locked.status_code == 429
    doctor = personas["doctor_moscow"]
    assert _post_password(app.test_client(), doctor["phone"], doctor["password"]).status_code == 303


def test_per_ip_captcha(app: Any, personas: dict) -> None:
    app.extensions["gosid"].login.guard.limits = type(app.extensions["gosid"].login.guard.limits)(ip_captcha_after=2)
    client = app.test_client()
    _post_password(client, "+79990001101", "x-Wrong-Password-1")
    _post_password(client, "+79990001102", "x-Wrong-Password-1")
    patient = personas["patient_moscow"]
    resp = _post_password(app.test_client(), patient["phone"], patient["password"])
    assert resp.status_code == 401 and "LOGIN-031" in resp.text


def test_sms_send_limit_per_phone(app: Any, patient: dict) -> None:
    limits = app.extensions["gosid"].send_limits
    limits._per_recipient = 2
    for _ in range(2):
        c = app.test_client()
        c.get("/login")
        password_step(c, patient["phone"], patient["password"])
    c = app.test_client()
    c.get("/login")
    password_step(c, patient["phone"], patient["password"])
    page = c.get("/login/sms")
    resp = c.post("/login/sms/resend", data={"csrf_token": csrf_token(page.text)})
    assert resp.status_code == 429 and "LOGIN-014" in resp.text
    assert len(c.get("/dev/outbox", query_string={"to": patient["phone"]}).get_json()) == 2


def test_sms_send_limit_per_ip(app: Any, personas: dict) -> None:
    app.extensions["gosid"].send_limits._per_ip = 1
    first, second = personas["patient_moscow"], personas["doctor_moscow"]
    c = app.test_client()
    c.get("/login")
    password_step(c, first["phone"], first["password"])
    d = app.test_client()
    d.get("/login")
    password_step(d, second["phone"], second["password"])
    assert d.get("/dev/outbox", query_string={"to": second["phone"]}).get_json() == []


def test_sessions_page_lists_and_ends(app: Any, patient: dict) -> None:
    here, there = app.test_client(), app.test_client()
    sign_in(here, patient)
    sign_in(there, patient)
    page = here.get("/profile/sessions")
    handles = re.findall(r'data-session="([0-9a-f]{16})"', page.text)
    assert len(handles) == 2 and 'class="current"' in page.text
    other = next(h for h in handles if f'data-session="{h}" class="current"' not in page.text)
    here.post(f"/profile/sessions/{other}/end", data={"csrf_token": csrf_token(page.text)})
    assert there.get("/profile").status_code == 302 and here.get("/profile").status_code == 200
    sign_in(there, patient)
    page = here.get("/profile/sessions")
    here.post("/profile/sessions/end-all", data={"csrf_token": csrf_token(page.text)})
    assert there.get("/profile").status_code == 302 and here.get("/profile").status_code == 302


def test_sessions_of_others_cannot_be_ended(app: Any, patient: dict, personas: dict) -> None:
    victim, attacker = app.test_client(), app.test_client()
    sign_in(victim, patient)
    handle = present(re.search(r'data-session="([0-9a-f]{16})"', victim.get("/profile/sessions").text)).group(1)
    sign_in(attacker, personas["doctor_moscow"])
    page = attacker.get("/profile/sessions")
    attacker.post(f"/profile/sessions/{handle}/end", data={"csrf_token": csrf_token(page.text)})
    assert victim.get("/profile").status_code == 200


def test_new_device_is_announced_once(app: Any, patient: dict) -> None:
    browser = app.test_client()
    sign_in(browser, patient)
    mails = browser.get("/dev/outbox", query_string={"to": patient["email"]}).get_json()
    assert any("нового устройства" in (m["subject"] or "") for m in mails)
    assert browser.get_cookie("gosid_device").http_only
    sign_in(browser, patient)  # the same browser again: no new notice
    again = browser.get("/dev/outbox", query_string={"to": patient["email"]}).get_json()
    assert sum("нового устройства" in (m["subject"] or "") for m in again) == 1


def test_phone_change_confirms_the_new_number_and_tells_the_old_one(app: Any, client: Any, patient: dict) -> None:
    sign_in(client, patient)
    page = client.get("/profile/security/contact/phone")
    taken = client.post("/profile/security/contact/phone",
                        data={"csrf_token": csrf_token(page.text), "value": "+79167654302"})  # fmt: skip
    assert taken.status_code == 400
    client.post("/profile/security/contact/phone", data={"csrf_token": csrf_token(page.text), "value": "+79161112233"})
    code = outbox_code(client, "+79161112233")
    page = client.get("/profile/security/contact/phone")
    resp = client.post("/profile/security/contact/phone", data={"csrf_token": csrf_token(page.text), "code": code})
    assert resp.status_code == 303
    old = client.get("/dev/outbox", query_string={"to": patient["phone"]}).get_json()[0]["body"]
    assert "номер телефона" in old
    fresh = app.test_client()
    fresh.get("/login")
    assert password_step(fresh, "+79161112233", patient["password"]).status_code == 303


def test_email_change_wrong_code(client: Any, patient: dict) -> None:
    sign_in(client, patient)
    page = client.get("/profile/security/contact/email")
    client.post(
        "/profile/security/contact/email", data={"csrf_token": csrf_token(page.text), "value": "new@example.ru"}
    )
    page = client.get("/profile/security/contact/email")
    resp = client.post("/profile/security/contact/email", data={"csrf_token": csrf_token(page.text), "code": "000001"})
    assert resp.status_code == 401 and "LOGIN-010" in resp.text
