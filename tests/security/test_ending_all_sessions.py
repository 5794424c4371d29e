"""«Завершить все сеансы» stops the access tokens of every ended session, refresh token or not.

An access token issued without ``offline_access`` has no refresh family, so revoking the
person's refresh tokens does not reach it: the ended sessions' ``sid``\\ s go on the access-token
deny list, as logout puts its session's there. A session opened afterwards works. Both backends.
"""

from __future__ import annotations

from typing import Any

from idp.storage.unit_of_work import transaction
from tests.support.clients import DEMO_CREDS
from tests.support.flows import RP_REDIRECT, exchange
from tests.support.oidc_client import AuthRequest, csrf_token
from tests.support.sign_in import front_channel


def _access_token(browser: Any, persona: dict[str, Any]) -> str:
    req = AuthRequest(client_id=DEMO_CREDS[0], redirect_uri=RP_REDIRECT, scope="openid profile")
    resp = exchange(browser, DEMO_CREDS, req, front_channel(browser, req, persona)["code"])
    assert resp.status_code == 200 and "refresh_token" not in resp.get_json(), resp.text
    return str(resp.get_json()["access_token"])


def _active(client: Any, token: str) -> bool:
    resp = client.post("/introspect", data={"token": token}, auth=DEMO_CREDS)
    assert resp.status_code == 200, resp.text
    return bool(resp.get_json()["active"])


def _userinfo_status(client: Any, token: str) -> int:
    return int(client.get("/userinfo", headers={"Authorization": f"Bearer {token}"}).status_code)


def test_ending_all_sessions_stops_access_tokens_without_a_refresh_token(app: Any, personas: dict[str, Any]) -> None:
    patient, lost, here, rp = personas["patient_moscow"], app.test_client(), app.test_client(), app.test_client()
    other, own = _access_token(lost, patient), _access_token(here, patient)
    assert _active(rp, other) and _userinfo_status(rp, other) == 200
    page = here.get("/profile/sessions")
    assert here.post("/profile/sessions/end-all", data={"csrf_token": csrf_token(page.text)}).status_code == 303
    for token in (other, own):
        assert not _active(rp, token), "introspection still says active"
        assert _userinfo_status(rp, token) == 401
    fresh = _access_token(app.test_client(), patient)
    assert _active(rp, fresh) and _userinfo_status(rp, fresh) == 200


def test_ending_everything_for_the_person_deny_lists_their_sessions_tokens(app: Any, personas: dict[str, Any]) -> None:
    patient, rp = personas["patient_moscow"], app.test_client()
    token = _access_token(app.test_client(), patient)
    from idp.oidc.grant_state import grant_revoked
    from idp.services import services
    from tests.support.flows import decode_unverified

    end_everything_for = app.extensions["gosid"].lifecycle.end_everything_for

    with app.app_context(), transaction():
        end_everything_for(patient["oid"])  # as a password reset does; the account stays enabled
        claims = decode_unverified(token)
        assert services().deny_list.covers(claims) and not grant_revoked(claims)
    assert not _active(rp, token) and _userinfo_status(rp, token) == 401
