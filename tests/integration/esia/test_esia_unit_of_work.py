"""The ESIA token endpoint in one unit of work: a refresh that fails after marking its token
used leaves the token unused and no successor (issue 10 §3; tests.support.faults)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.integration.esia.esia_flow import EsiaSystem, ac_url, authorize
from tests.support.faults import database_snapshot, failing_audit_row


def _refresh(client: FlaskClient, system: EsiaSystem, token: str) -> Any:
    return client.post("/aas/oauth2/te", data=system.te_v1("", grant_type="refresh_token", refresh_token=token))


def test_esia_refresh_failing_after_the_token_is_marked_used_leaves_it_usable(
    app: Flask, client: FlaskClient, rsa_system: EsiaSystem, personas: dict[str, Any]
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a 500 as in production
    back = authorize(client, ac_url("/aas/oauth2/ac", rsa_system.ac_v1()), personas["patient_moscow"])
    issued = client.post("/aas/oauth2/te", data=rsa_system.te_v1(back["code"]))
    assert issued.status_code == 200, issued.text
    token = issued.get_json()["refresh_token"]
    before = database_snapshot(app)
    with failing_audit_row(app, "esia_token_issued"):
        failed = _refresh(client, rsa_system, token)
    assert failed.status_code == 500
    assert database_snapshot(app) == before, "the failed refresh burned the token or left a successor"
    again = _refresh(client, rsa_system, token)
    assert again.status_code == 200, again.text
