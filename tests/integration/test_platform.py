"""Discovery, JWKS, the dev outbox and the append-only audit log."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text

from idp.storage.unit_of_work import transaction
from tests.support.flows import RP_REDIRECT, authorize_code, exchange
from tests.support.oidc_client import AuthRequest


def test_discovery_describes_what_works(client: Any) -> None:
    doc = client.get("/.well-known/openid-configuration").get_json()
    assert doc["issuer"] == "http://localhost:8000"
    assert doc["response_types_supported"] == ["code"]
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["authorization_response_iss_parameter_supported"] is True
    assert {"snils", "inn", "id_doc", "medical_doc", "region"} <= set(doc["scopes_supported"])
    for key in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "end_session_endpoint"):
        path = doc[key].removeprefix("http://localhost:8000")
        assert client.open(path, method="OPTIONS").status_code != 404, key


def test_jwks_publishes_public_rs256_and_es256_keys(client: Any) -> None:
    keys = client.get("/jwks.json").get_json()["keys"]
    assert {k["alg"] for k in keys} >= {"RS256", "ES256"}
    for key in keys:
        assert key["kid"] and key["use"] == "sig"
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key), "private members must never be published"


def test_keys_are_loaded_once_not_per_request(
    app: Any, client: Any, rp_credentials: tuple[str, str], personas: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    import idp.oidc.keys as keys_module

    def fail(*_: Any, **__: Any) -> None:
        raise AssertionError("a key was loaded from disk during a request")

    monkeypatch.setattr(keys_module, "_import", fail)
    monkeypatch.setattr(keys_module, "_load_entry", fail)
    req = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT)
    resp = exchange(client, rp_credentials, req, authorize_code(client, req, personas["patient_moscow"])["code"])
    assert resp.status_code == 200 and client.get("/jwks.json").status_code == 200


def test_outbox_json_is_newest_first_and_filtered(app: Any, client: Any) -> None:
    sender = app.extensions["gosid"].sender
    with app.app_context(), transaction():
        sender.send_sms("+79990000001", "first")
        sender.send_sms("+79990000002", "other")
        sender.send_email("a@example.ru", "Тема", "second")
        sender.send_sms("+79990000001", "third")
    msgs = client.get("/dev/outbox?to=%2B79990000001").get_json()
    assert [m["body"] for m in msgs] == ["third", "first"]
    assert client.get("/dev/outbox?to=a@example.ru").get_json()[0]["subject"] == "Тема"
    assert "third" in client.get("/dev/outbox").text


def test_outbox_does_not_exist_outside_dev_mode(settings: Any, persona_rows: list) -> None:
    import dataclasses

    from idp.app import create_app

    prod_like = create_app(dataclasses.replace(settings, dev_mode=False))
    assert prod_like.test_client().get("/dev/outbox").status_code == 404


def test_auth_and_token_events_are_audited(
    app: Any, client: Any, rp_credentials: tuple[str, str], personas: dict
) -> None:
    from idp.audit.models import AuditEvent
    from idp.storage.db import db

    patient = personas["patient_moscow"]
    req = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT)
    exchange(client, rp_credentials, req, authorize_code(client, req, patient)["code"])
    with app.app_context():
        events = [
            e.event for e in db.session.scalars(select(AuditEvent).where(AuditEvent.person_oid == patient["oid"]))
        ]
    for expected in (
        "login_password",
        "sms_code_sent",
        "sms_code_checked",
        "login_completed",
        "consent_granted",
        "token_issued",
    ):
        assert expected in events, expected


def test_audit_rows_cannot_be_changed_or_deleted(app: Any, client: Any) -> None:
    from idp.audit import log as audit
    from idp.storage.db import db

    with app.test_request_context():
        audit.record("test_event", result="ok")
        db.session.commit()
        for statement in ("UPDATE audit_event SET result = 'forged'", "DELETE FROM audit_event"):
            with pytest.raises(Exception, match="append-only"):
                db.session.execute(text(statement))
                db.session.commit()
            db.session.rollback()
        assert db.session.execute(text("SELECT count(*) FROM audit_event WHERE result = 'forged'")).scalar() == 0
