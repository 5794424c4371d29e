"""Ending one session on «Сеансы» does what logout does for that session.

The person sees a browser they do not trust on /profile/sessions and ends it from another one.
The ended session's tokens stop working at once: its access tokens are inactive at
introspection and refused at userinfo (its ``sid`` is on the deny list, its refresh families
are revoked), its refresh token is refused, and the clients it signed in to get a back-channel
logout token for its ``sid``. The session the person acted from keeps working. Both backends.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.audit_log import audit_events
from tests.support.clients import DEMO_CREDS, register
from tests.support.flows import RP_REDIRECT, exchange
from tests.support.handmade_jwts import decode_part
from tests.support.logout_receiver import LogoutReceiver
from tests.support.oidc_client import AuthRequest, csrf_token
from tests.support.sign_in import front_channel, sign_in


def _tokens(browser: Any, persona: dict[str, Any]) -> dict[str, str]:
    req = AuthRequest(client_id=DEMO_CREDS[0], redirect_uri=RP_REDIRECT, scope="openid profile offline_access")
    resp = exchange(browser, DEMO_CREDS, req, front_channel(browser, req, persona)["code"])
    assert resp.status_code == 200 and "refresh_token" in resp.get_json(), resp.text
    return dict(resp.get_json())


def _active(client: Any, token: str) -> bool:
    resp = client.post("/introspect", data={"token": token}, auth=DEMO_CREDS)
    assert resp.status_code == 200, resp.text
    return bool(resp.get_json()["active"])


def _userinfo_status(client: Any, token: str) -> int:
    return int(client.get("/userinfo", headers={"Authorization": f"Bearer {token}"}).status_code)


def _refresh(client: Any, token: str) -> Any:
    return client.post("/token", data={"grant_type": "refresh_token", "refresh_token": token}, auth=DEMO_CREDS)


def _end_the_other_session(browser: Any) -> None:
    page = browser.get("/profile/sessions")
    handles = re.findall(r'data-session="([0-9a-f]{16})"', page.text)
    others = [h for h in handles if f'data-session="{h}" class="current"' not in page.text]
    assert len(handles) == 2 and len(others) == 1, handles
    resp = browser.post(f"/profile/sessions/{others[0]}/end", data={"csrf_token": csrf_token(page.text)})
    assert resp.status_code == 303


@pytest.mark.checklist(43)
def test_ending_a_session_from_another_stops_its_tokens_and_keeps_the_others(
    app: Any, personas: dict[str, Any]
) -> None:
    patient, lost, kept = personas["patient_moscow"], app.test_client(), app.test_client()
    ended, remaining = _tokens(lost, patient), _tokens(kept, patient)
    assert _active(kept, ended["access_token"]) and _userinfo_status(kept, ended["access_token"]) == 200
    _end_the_other_session(kept)
    assert lost.get("/profile").status_code == 302
    assert not _active(kept, ended["access_token"]), "introspection still says active"
    assert _userinfo_status(kept, ended["access_token"]) == 401
    refused = _refresh(kept, ended["refresh_token"])
    assert refused.status_code == 400 and refused.get_json()["error"] == "invalid_grant"
    assert _active(kept, remaining["access_token"]) and _userinfo_status(kept, remaining["access_token"]) == 200
    assert kept.get("/profile").status_code == 200
    assert _refresh(kept, remaining["refresh_token"]).status_code == 200
    assert [e.result for e in audit_events(app, "session_ended_by_person")] == ["ok"]


def test_ending_a_session_tells_its_clients_by_back_channel_logout(app: Any, personas: dict[str, Any]) -> None:
    patient, lost, kept = personas["patient_moscow"], app.test_client(), app.test_client()
    creds, redirect = ("bcl-client", "bcl-client-secret-0123456789"), "http://127.0.0.1:5000/bcl/cb"
    with LogoutReceiver([]) as receiver:
        register(app, client_id=creds[0], redirect_uris=[redirect], client_secret=creds[1],
                 backchannel_logout_uri=receiver.uri)  # fmt: skip
        done = sign_in(lost, patient, client_id=creds[0], creds=creds, redirect_uri=redirect)
        sign_in(kept, patient)
        _end_the_other_session(kept)
        received = receiver.wait_for(1)
    assert len(received) == 1, received
    claims = decode_part(received[0]["form"]["logout_token"], 1)
    assert claims["sid"] == decode_part(done.id_token, 1)["sid"] and claims["sub"] == str(patient["oid"])
