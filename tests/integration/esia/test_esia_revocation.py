"""ESIA: withdrawing consent and disabling the account revoke the person's ESIA refresh tokens.

Consent is checked at refresh, but a live refresh row would come back to life as soon as the
person consents again (in another browser, say): the withdrawn grant must stay dead. So the
withdrawal revokes the rows of that system for the person, and disabling the account revokes
all of the person's rows, as on the OpenID Connect side (``idp/oidc/consent.py``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from idp.storage.unit_of_work import transaction
from tests.integration.esia.esia_flow import EsiaSystem, ac_url, authorize
from tests.support.oidc_client import csrf_token


def _tokens(client: Any, system: EsiaSystem, persona: dict[str, Any]) -> dict[str, str]:
    back = authorize(client, ac_url("/aas/oauth2/ac", system.ac_v1()), persona)
    resp = client.post("/aas/oauth2/te", data=system.te_v1(back["code"]))
    assert resp.status_code == 200, resp.text
    return dict(resp.get_json())


def _refresh(client: Any, system: EsiaSystem, token: str) -> Any:
    return client.post("/aas/oauth2/te", data=system.te_v1("", grant_type="refresh_token", refresh_token=token))


def _revoked_rows(app: Any, person_oid: int) -> list[bool]:
    from idp.esia.models import EsiaRefreshToken
    from idp.storage.db import db

    with app.app_context():
        rows = db.session.scalars(select(EsiaRefreshToken).where(EsiaRefreshToken.person_oid == person_oid))
        return [row.revoked_at is not None for row in rows]


def test_withdrawn_consent_revokes_the_esia_refresh_token_for_good(
    app: Any, client: Any, rsa_system: EsiaSystem, personas: dict[str, Any]
) -> None:
    patient = personas["patient_moscow"]
    tokens = _tokens(client, rsa_system, patient)
    cabinet = client.get("/profile")
    withdrawn = client.post(
        f"/profile/consents/{rsa_system.client_id}/withdraw", data={"csrf_token": csrf_token(cabinet.text)}
    )
    assert withdrawn.status_code == 303
    assert _revoked_rows(app, patient["oid"]) == [True], "the ESIA refresh row is still live"
    _tokens(app.test_client(), rsa_system, patient)  # the person consents again, in another browser
    refused = _refresh(client, rsa_system, tokens["refresh_token"])
    assert refused.status_code == 400 and "access_token" not in refused.get_json(), refused.text
    assert refused.get_json()["error"] == "invalid_grant"


def test_a_disabled_account_revokes_every_esia_refresh_token(
    app: Any, client: Any, rsa_system: EsiaSystem, personas: dict[str, Any]
) -> None:
    patient = personas["patient_moscow"]
    _tokens(client, rsa_system, patient)
    disable_account = app.extensions["gosid"].lifecycle.disable_account

    with app.app_context(), transaction():
        assert disable_account(patient["oid"])
    assert _revoked_rows(app, patient["oid"]) == [True], "the ESIA refresh row is still live"
