"""ESIA: a replayed authorization code revokes what its first redemption issued.

As on the OpenID Connect side (RFC 9700 §4.2.4, ``idp/oidc/code_replay.py``): a code presented
a second time means it leaked, so the access and refresh tokens the first redemption produced
are revoked. The ESIA access token carries its grant (the refresh family), and the person API
checks that grant in the database, as it checks the person.
"""

from __future__ import annotations

from typing import Any

from tests.integration.esia.esia_flow import EsiaSystem, ac_url, authorize
from tests.support.flows import decode_unverified


def _person_api(client: Any, access_token: str) -> int:
    oid = decode_unverified(access_token)["urn:esia:sbj_id"]
    return int(client.get(f"/rs/prns/{oid}", headers={"Authorization": f"Bearer {access_token}"}).status_code)


def test_a_replayed_code_revokes_the_first_redemptions_tokens(
    app: Any, client: Any, rsa_system: EsiaSystem, personas: dict[str, Any]
) -> None:
    back = authorize(client, ac_url("/aas/oauth2/ac", rsa_system.ac_v1()), personas["patient_moscow"])
    first = client.post("/aas/oauth2/te", data=rsa_system.te_v1(back["code"]))
    assert first.status_code == 200, first.text
    tokens = first.get_json()
    assert _person_api(client, tokens["access_token"]) == 200

    replay = client.post("/aas/oauth2/te", data=rsa_system.te_v1(back["code"]))
    assert replay.status_code == 400 and replay.get_json()["error_description"].startswith("ESIA-007011")

    assert _person_api(client, tokens["access_token"]) == 401, "the first access token still opens /rs/prns"
    refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    refreshed = client.post("/aas/oauth2/te", data=rsa_system.te_v1("", **refresh))
    assert refreshed.status_code == 400 and "access_token" not in refreshed.get_json()
    from sqlalchemy import select

    from idp.audit.models import AuditEvent
    from idp.storage.db import db

    with app.app_context():
        events = db.session.scalars(select(AuditEvent.result).where(AuditEvent.event == "esia_code_replay")).all()
    assert events == ["tokens_revoked"]


def test_a_refresh_reuse_revokes_the_familys_access_tokens(
    client: Any, rsa_system: EsiaSystem, personas: dict[str, Any]
) -> None:
    back = authorize(client, ac_url("/aas/oauth2/ac", rsa_system.ac_v1()), personas["patient_moscow"])
    tokens = client.post("/aas/oauth2/te", data=rsa_system.te_v1(back["code"])).get_json()
    refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    rotated = client.post("/aas/oauth2/te", data=rsa_system.te_v1("", **refresh))
    assert rotated.status_code == 200, rotated.text
    newer = rotated.get_json()["access_token"]
    assert _person_api(client, newer) == 200
    reused = client.post("/aas/oauth2/te", data=rsa_system.te_v1("", **refresh))
    assert reused.status_code == 400
    assert _person_api(client, tokens["access_token"]) == 401 and _person_api(client, newer) == 401
