"""One unit of work per request (issue 10 §3).

A request that fails after its first write leaves the database exactly as it was, audit rows
included; a handled refusal keeps its audit row; domain code never commits on its own. The
failure is a real one: a database trigger refuses the request's audit row (tests.support.faults).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from idp.storage.unit_of_work import transaction
from tests.support.audit_log import audit_events
from tests.support.faults import database_snapshot, failing_audit_row
from tests.support.flows import RP_REDIRECT, authorize_code, exchange, outbox_code, password_step, refresh, sms_step
from tests.support.oidc_client import AuthRequest, csrf_token

NEW_PHONE = "+79035550077"
PASSWORD = "Sinyaya-Reka-Tumannaya-7"
NEW_PASSWORD = "Sinii-Trolleybus-Vecherom-9"
REGISTRATION_TOKEN = "reg-token-0123456789"


@pytest.fixture
def answering_app(app: Flask) -> Flask:
    """Unhandled errors answer 500, as in production, instead of propagating into the test."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def _signed_in(app: Flask, persona: dict[str, Any]) -> FlaskClient:
    browser = app.test_client()
    assert password_step(browser, persona["phone"], persona["password"]).status_code == 303
    assert sms_step(browser, outbox_code(browser, persona["phone"])).status_code == 303
    return browser


def test_registration_failing_after_the_account_row_leaves_no_account(answering_app: Flask) -> None:
    browser = answering_app.test_client()
    page = browser.get("/register")
    form = {"phone": NEW_PHONE, "email": "", "password": PASSWORD, "password_confirm": PASSWORD}
    assert browser.post("/register", data={"csrf_token": csrf_token(page.text), **form}).status_code == 303
    code = outbox_code(browser, NEW_PHONE)
    confirm = {"csrf_token": csrf_token(browser.get("/register/confirm").text), "code": code, "action": "confirm"}
    before = database_snapshot(answering_app)
    with failing_audit_row(answering_app, "registration_confirmed"):
        resp = browser.post("/register/confirm", data=confirm)
    assert resp.status_code == 500
    assert database_snapshot(answering_app) == before, "the account (or an audit row) outlived the failure"


def test_refresh_failing_after_the_token_is_marked_used_leaves_it_usable(
    answering_app: Flask, client: FlaskClient, rp_credentials: tuple[str, str], personas: dict[str, Any]
) -> None:
    req = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT, scope="openid profile offline_access")
    code = authorize_code(client, req, personas["patient_moscow"])["code"]
    token = exchange(client, rp_credentials, req, code).get_json()["refresh_token"]
    before = database_snapshot(answering_app)
    with failing_audit_row(answering_app, "token_issued"):
        failed = refresh(client, rp_credentials, token)
    assert failed.status_code == 500
    assert database_snapshot(answering_app) == before, "the failed rotation burned the token or left a successor"
    again = refresh(client, rp_credentials, token)
    assert again.status_code == 200, again.text  # not taken for a replay: the failed attempt left no trace


def test_password_change_failing_at_its_audit_row_changes_nothing(
    answering_app: Flask, personas: dict[str, Any]
) -> None:
    patient = personas["patient_moscow"]
    here, there = _signed_in(answering_app, patient), _signed_in(answering_app, patient)
    page = here.get("/profile/security/password")
    form = {"current_password": patient["password"], "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    before = database_snapshot(answering_app)
    with failing_audit_row(answering_app, "password_changed"):
        resp = here.post("/profile/security/password", data={"csrf_token": csrf_token(page.text), **form})
    assert resp.status_code == 500
    assert database_snapshot(answering_app) == before, "the new password or ended sessions outlived the failure"
    assert there.get("/profile").status_code == 200  # the other session was not ended
    fresh = answering_app.test_client()
    assert password_step(fresh, patient["phone"], patient["password"]).status_code == 303


def test_dynamic_registration_whose_commit_fails_answers_500_and_registers_nothing(
    answering_app: Flask, client: FlaskClient
) -> None:
    """The audit row is written by the request's single commit: its failure is the response."""
    svc = answering_app.extensions["gosid"]
    object.__setattr__(svc, "settings", dataclasses.replace(svc.settings, registration_token=REGISTRATION_TOKEN))
    body = {"client_name": "Клиника", "redirect_uris": ["https://clinic.example.ru/cb"]}
    headers = {"Authorization": f"Bearer {REGISTRATION_TOKEN}"}
    before = database_snapshot(answering_app)
    with failing_audit_row(answering_app, "client_registered"):
        resp = client.post("/connect/register", json=body, headers=headers)
    assert resp.status_code == 500 and "client_secret" not in resp.text
    assert database_snapshot(answering_app) == before, "a client was registered although the answer was an error"
    assert client.post("/connect/register", json=body, headers=headers).status_code == 201


def test_a_refused_login_keeps_its_audit_row_with_the_clients_ip(
    app: Flask, client: FlaskClient, personas: dict[str, Any]
) -> None:
    patient = personas["patient_moscow"]
    assert password_step(client, patient["phone"], "wrong-Password-1").status_code == 401
    rows = [(e.result, e.person_oid, e.ip) for e in audit_events(app, "login_password")]
    assert rows == [("wrong_password", patient["oid"], "127.0.0.1")]


def test_domain_code_leaves_the_commit_to_its_caller(app: Flask, personas: dict[str, Any]) -> None:
    from idp.oidc.clients import register_client

    lifecycle = app.extensions["gosid"].lifecycle
    before = database_snapshot(app)
    with app.app_context(), pytest.raises(RuntimeError, match="caller"), transaction():
        register_client(client_id="never-committed", name="x", redirect_uris=["https://x.example.ru/cb"], scopes=[])
        assert lifecycle.disable_account(personas["patient_moscow"]["oid"])
        raise RuntimeError("the caller fails after the domain calls returned")
    assert database_snapshot(app) == before
    with app.app_context(), transaction():
        assert lifecycle.disable_account(personas["patient_moscow"]["oid"])
    assert [e.person_oid for e in audit_events(app, "account_disabled")] == [personas["patient_moscow"]["oid"]]
