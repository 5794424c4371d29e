"""Passkeys: registration in the cabinet, second factor, passwordless (UV), replay, clones."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from idp.authn.assurance import ACR_STRONG, ACR_TWO_FACTOR
from tests.integration.factors.helpers import choose, finish_consent, id_token_claims, password, start
from tests.support.flows import outbox_code, password_step, sms_step
from tests.support.oidc_client import csrf_token
from tests.support.soft_webauthn import SoftAuthenticator

OPTIONS = re.compile(r'<script type="application/json" id="webauthn-options">(.*?)</script>', re.S)
ORIGIN = "http://localhost:8000"


def options_of(page: str) -> str:
    found = OPTIONS.search(page)
    assert found, page
    return html.unescape(found.group(1)).replace("\\u003c", "<")


@pytest.fixture
def patient(personas: dict) -> dict[str, Any]:
    return personas["patient_moscow"]


def register(client: Any, persona: dict, device: SoftAuthenticator, **create: Any) -> Any:
    client.get("/login")
    password_step(client, persona["phone"], persona["password"])
    assert sms_step(client, outbox_code(client, persona["phone"])).status_code == 303
    page = client.get("/profile/security/passkey")
    assert page.status_code == 200
    answer = device.create(options_of(page.text), **create)
    return client.post(
        "/profile/security/passkey",
        data={"csrf_token": csrf_token(page.text), "response": answer, "label": "Ноутбук"},
    )


@pytest.fixture
def device(app: Any, patient: dict) -> SoftAuthenticator:
    device = SoftAuthenticator(origin=ORIGIN)
    resp = register(app.test_client(), patient, device)
    assert resp.status_code == 303, resp.text
    return device


def _passwordless(client: Any, device: SoftAuthenticator, **get: Any) -> Any:
    page = client.get("/login/passwordless/passkey")
    answer = device.get(options_of(page.text), **get)
    return client.post(
        "/login/passwordless/passkey", data={"csrf_token": csrf_token(page.text), "response": answer}
    ), answer


def test_registration_is_stored_and_announced(app: Any, device: SoftAuthenticator, patient: dict) -> None:
    from idp.factors.models import EnrolledFactor

    with app.app_context():
        (row,) = EnrolledFactor.query.filter_by(person_oid=patient["oid"], kind="passkey").all()
        assert row.label == "Ноутбук" and row.data["uv"] is True and row.sign_count == 0
    assert (
        "способ подтверждения"
        in app.test_client().get("/dev/outbox", query_string={"to": patient["phone"]}).get_json()[0]["body"]
    )


def test_registration_from_a_wrong_origin_is_refused(app: Any, patient: dict) -> None:
    resp = register(app.test_client(), patient, SoftAuthenticator(origin="https://evil.example"))
    assert resp.status_code == 401 and "LOGIN-040" in resp.text


def test_passwordless_login_is_strong(app: Any, client: Any, device: SoftAuthenticator, rp_credentials: tuple) -> None:
    req = start(client)
    resp, _ = _passwordless(client, device)
    claims = id_token_claims(client, rp_credentials, req, finish_consent(client, req, resp))
    assert claims["acr"] == ACR_STRONG and claims["amr"] == ["hwk", "user", "pin", "mfa"]


def test_passwordless_without_user_verification_is_refused(app: Any, client: Any, device: SoftAuthenticator) -> None:
    device.user_verified = False
    start(client)
    resp, _ = _passwordless(client, device)
    assert resp.status_code == 401 and "LOGIN-040" in resp.text
    assert client.get("/profile").status_code == 302


def test_a_replayed_assertion_is_refused(app: Any, device: SoftAuthenticator) -> None:
    first = app.test_client()
    start(first)
    page = first.get("/login/passwordless/passkey")
    answer = device.get(options_of(page.text))
    form = {"csrf_token": csrf_token(page.text), "response": answer}
    assert first.post("/login/passwordless/passkey", data=form).status_code == 303
    attacker = app.test_client()
    start(attacker)
    page = attacker.get("/login/passwordless/passkey")
    replay = attacker.post(
        "/login/passwordless/passkey", data={"csrf_token": csrf_token(page.text), "response": answer}
    )
    assert replay.status_code == 401 and "LOGIN-040" in replay.text


def test_wrong_origin_and_rp_id_are_refused(app: Any, client: Any, device: SoftAuthenticator) -> None:
    start(client)
    resp, _ = _passwordless(client, device, origin="https://gosuslugi.evil.example")
    assert resp.status_code == 401
    resp, _ = _passwordless(client, device, rp_id="evil.example")
    assert resp.status_code == 401 and client.get("/profile").status_code == 302


def test_sign_count_regression_is_refused(app: Any, device: SoftAuthenticator) -> None:
    one = app.test_client()
    start(one)
    assert _passwordless(one, device)[0].status_code == 303
    clone = SoftAuthenticator(origin=ORIGIN, credential_id=device.credential_id, key=device.key,
                              user_handle=device.user_handle)  # fmt: skip
    two = app.test_client()
    start(two)
    resp, _ = _passwordless(two, clone)  # its counter (1) is not above the stored one (1)
    assert resp.status_code == 401 and "LOGIN-040" in resp.text


def test_passkey_as_second_factor(app: Any, client: Any, device: SoftAuthenticator, patient: dict,
                                  rp_credentials: tuple) -> None:  # fmt: skip
    req = start(client)
    password(client, patient)
    assert choose(client, "passkey").headers["Location"].endswith("/login/passkey")
    page = client.get("/login/passkey")
    device.user_verified = False  # presence only: fine as a second factor
    answer = device.get(options_of(page.text))
    resp = client.post("/login/passkey", data={"csrf_token": csrf_token(page.text), "response": answer})
    claims = id_token_claims(client, rp_credentials, req, finish_consent(client, req, resp))
    assert claims["acr"] == ACR_TWO_FACTOR and claims["amr"] == ["pwd", "hwk", "user", "mfa"]


def test_step_up_to_strong_offers_only_the_passkey_and_needs_uv(
    app: Any, client: Any, device: SoftAuthenticator, patient: dict, rp_credentials: tuple
) -> None:
    req = start(client, acr_values=ACR_STRONG)
    first = password(client, patient)
    assert first.headers["Location"].endswith("/login/passkey")
    assert client.get("/login/sms").status_code == 400  # SMS cannot reach the strong level
    page = client.get("/login/passkey")
    device.user_verified = False
    resp = client.post(
        "/login/passkey", data={"csrf_token": csrf_token(page.text), "response": device.get(options_of(page.text))}
    )
    assert resp.status_code == 401
    client.post("/login/passkey/resend", data={"csrf_token": csrf_token(page.text)})
    page = client.get("/login/passkey")
    device.user_verified = True
    resp = client.post(
        "/login/passkey", data={"csrf_token": csrf_token(page.text), "response": device.get(options_of(page.text))}
    )
    claims = id_token_claims(client, rp_credentials, req, finish_consent(client, req, resp))
    assert claims["acr"] == ACR_STRONG


def test_another_persons_passkey_is_not_a_second_factor(app: Any, client: Any, device: SoftAuthenticator,
                                                        personas: dict) -> None:  # fmt: skip
    doctor = personas["doctor_moscow"]
    other_device = SoftAuthenticator(origin=ORIGIN)
    assert register(app.test_client(), doctor, other_device).status_code == 303
    start(client)
    password(client, doctor)
    choose(client, "passkey")
    page = client.get("/login/passkey")
    resp = client.post(
        "/login/passkey", data={"csrf_token": csrf_token(page.text), "response": device.get(options_of(page.text))}
    )
    assert resp.status_code == 401 and "LOGIN-040" in resp.text


def test_an_expired_challenge_is_refused(app: Any, client: Any, device: SoftAuthenticator) -> None:
    start(client)
    page = client.get("/login/passwordless/passkey")
    answer = device.get(options_of(page.text))
    store = app.extensions["gosid"].store
    with client.session_transaction() as sess:
        tx_id = sess["login_tx"]
    store.delete(f"webauthn-auth:{tx_id}")  # what the TTL (5 min) does
    resp = client.post("/login/passwordless/passkey", data={"csrf_token": csrf_token(page.text), "response": answer})
    assert resp.status_code == 401 and "LOGIN-011" in resp.text
