"""TOTP: enrolment with a QR code and a first code, login, ±1 step, replay, brute force."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest

from idp.authn.assurance import ACR_TWO_FACTOR
from tests.integration.factors.helpers import (
    OTP_RE,
    enrol_totp,
    finish_consent,
    freeze_totp_clock,
    id_token_claims,
    password,
    start,
    submit,
)
from tests.support.flows import outbox_code, password_step, sms_step
from tests.support.oidc_client import csrf_token
from tests.support.present import present
from tests.support.store_loss import empty_the_store

NOW = 1_790_000_000.0  # a fixed instant, 20 s into its 30-second step


@pytest.fixture
def patient(personas: dict) -> dict[str, Any]:
    return personas["patient_moscow"]


def _login_with_sms(client: Any, persona: dict[str, Any]) -> None:
    client.get("/login")
    password_step(client, persona["phone"], persona["password"])
    assert sms_step(client, outbox_code(client, persona["phone"])).status_code == 303


def test_enrolment_shows_a_qr_code_and_needs_a_first_code(app: Any, client: Any, patient: dict) -> None:
    from idp.factors.models import EnrolledFactor

    _login_with_sms(client, patient)
    page = client.get("/profile/security/totp")
    assert page.status_code == 200 and "data:image/svg+xml" in page.text
    secret = present(OTP_RE.search(page.text)).group(1)
    wrong = client.post("/profile/security/totp", data={"csrf_token": csrf_token(page.text), "code": "000000"})
    assert wrong.status_code == 401 and "LOGIN-010" in wrong.text
    code = pyotp.TOTP(secret).now()
    ok = client.post(
        "/profile/security/totp", data={"csrf_token": csrf_token(page.text), "code": code, "label": "Телефон"}
    )
    assert ok.status_code == 303 and ok.headers["Location"].endswith("/profile/security")
    with app.app_context():
        rows = EnrolledFactor.query.filter_by(person_oid=patient["oid"], kind="totp").all()
        assert len(rows) == 1 and rows[0].label == "Телефон"
        assert secret not in rows[0].secret  # encrypted at rest
    # the old contacts hear about it
    sms = client.get("/dev/outbox", query_string={"to": patient["phone"]}).get_json()
    assert "способ подтверждения входа" in sms[0]["body"]


def test_enrolment_needs_a_recent_login(app: Any, client: Any, patient: dict) -> None:
    _login_with_sms(client, patient)
    object.__setattr__(app.extensions["gosid"].settings, "reauth_max_age", -1)
    resp = client.get("/profile/security/totp")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_login_with_totp_and_last_used_first(app: Any, client: Any, patient: dict, rp_credentials: tuple) -> None:
    _, secret = enrol_totp(app, patient["oid"])
    freeze_totp_clock(app, NOW)
    req = start(client)
    first = password(client, patient)
    assert first.headers["Location"].endswith("/login/sms")  # nothing used yet: SMS first
    page = client.get("/login/sms")
    assert 'data-factor="totp"' in page.text
    chose = client.post("/login/choose", data={"csrf_token": csrf_token(page.text), "factor": "totp"})
    assert chose.headers["Location"].endswith("/login/totp")
    resp = submit(client, "totp", pyotp.TOTP(secret).at(NOW))
    claims = id_token_claims(client, rp_credentials, req, finish_consent(client, req, resp))
    assert claims["amr"] == ["pwd", "otp", "mfa"] and claims["acr"] == ACR_TWO_FACTOR
    # next time the authenticator app is offered first
    other = app.test_client()
    start(other)
    assert password(other, patient).headers["Location"].endswith("/login/totp")


def test_one_step_of_drift_is_accepted_two_are_not(app: Any, client: Any, patient: dict) -> None:
    _, secret = enrol_totp(app, patient["oid"])
    freeze_totp_clock(app, NOW)
    start(client)
    password(client, patient)
    too_old = submit(client, "totp", pyotp.TOTP(secret).at(NOW - 60))
    assert too_old.status_code == 401 and "LOGIN-010" in too_old.text
    previous = submit(client, "totp", pyotp.TOTP(secret).at(NOW - 30))
    assert previous.status_code == 303


def test_wrong_code(app: Any, client: Any, patient: dict) -> None:
    _, secret = enrol_totp(app, patient["oid"])
    freeze_totp_clock(app, NOW)
    start(client)
    password(client, patient)
    right = pyotp.TOTP(secret).at(NOW)
    wrong = submit(client, "totp", "123456" if right != "123456" else "654321")
    assert wrong.status_code == 401 and "LOGIN-010" in wrong.text
    assert submit(client, "totp", "12ab").status_code == 401


def test_an_accepted_step_is_refused_again(app: Any, patient: dict) -> None:
    _, secret = enrol_totp(app, patient["oid"])
    freeze_totp_clock(app, NOW)
    code = pyotp.TOTP(secret).at(NOW)
    first, second = app.test_client(), app.test_client()
    for c in (first, second):
        start(c)
        password(c, patient)
    assert submit(first, "totp", code).status_code == 303
    replay = submit(second, "totp", code)
    assert replay.status_code == 401 and "LOGIN-013" in replay.text


def test_an_accepted_step_is_refused_again_after_the_store_is_lost(app: Any, patient: dict) -> None:
    _, secret = enrol_totp(app, patient["oid"])
    freeze_totp_clock(app, NOW)
    code = pyotp.TOTP(secret).at(NOW)
    first = app.test_client()
    start(first)
    password(first, patient)
    assert submit(first, "totp", code).status_code == 303
    empty_the_store(app)  # a Redis restart without persistence: the used step is still remembered
    second = app.test_client()
    start(second)
    password(second, patient)
    replay = submit(second, "totp", code)
    assert replay.status_code == 401 and "LOGIN-013" in replay.text


def test_brute_force_is_limited(app: Any, client: Any, patient: dict) -> None:
    _, secret = enrol_totp(app, patient["oid"])
    freeze_totp_clock(app, NOW)
    start(client)
    password(client, patient)
    right = pyotp.TOTP(secret).at(NOW)
    bad = "000000" if right != "000000" else "111111"
    for _ in range(5):
        assert submit(client, "totp", bad).status_code == 401
    blocked = submit(client, "totp", right)
    assert blocked.status_code == 429 and "LOGIN-030" in blocked.text


def test_totp_only_offered_when_enrolled(client: Any, patient: dict) -> None:
    start(client)
    password(client, patient)
    assert client.get("/login/totp").status_code == 400
    assert 'data-factor="totp"' not in client.get("/login/sms").text


def test_removing_the_app(app: Any, client: Any, patient: dict) -> None:
    factor_id, _ = enrol_totp(app, patient["oid"])
    _login_with_sms(client, patient)
    page = client.get("/profile/security")
    assert 'data-kind="totp"' in page.text
    resp = client.post(f"/profile/security/factors/{factor_id}/remove", data={"csrf_token": csrf_token(page.text)})
    assert resp.status_code == 303
    assert 'data-kind="totp"' not in client.get("/profile/security").text
