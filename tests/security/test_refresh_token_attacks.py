"""Security checklist section 1, items 24-28: refresh-token theft, replay and lifetime, seen
from the token endpoint."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from idp.storage.unit_of_work import transaction
from tests.support.attacker import browser_code, code_exchange, demo_request, json_error
from tests.support.clients import Registered
from tests.support.oidc_client import AuthRequest
from tests.support.parallel import in_parallel
from tests.support.present import present
from tests.support.sign_in import bearer


def _tokens(client: Any, creds: tuple[str, str], person: dict, scope: str = "openid profile medcard.rs") -> dict:
    """Tokens of a code flow that asks for offline access, which is what brings a refresh token."""
    req = AuthRequest(client_id=creds[0], redirect_uri=demo_request().redirect_uri, scope=f"{scope} offline_access")
    resp = client.post("/token", data=code_exchange(req, browser_code(client, req, person)), auth=creds)
    assert resp.status_code == 200, resp.text
    return dict(resp.get_json())


def _refresh(client: Any, creds: tuple[str, str], token: str, **extra: str) -> Any:
    return client.post("/token", data={"grant_type": "refresh_token", "refresh_token": token, **extra}, auth=creds)


# --- 24. reuse after rotation revokes the family; parallel refreshes have one winner -------------


@pytest.mark.checklist(24)
def test_refresh_token_reuse_after_rotation_revokes_the_family(
    app: Any, client: Any, rp_credentials: tuple[str, str], personas: dict
) -> None:
    from idp.audit.models import AuditEvent
    from idp.storage.db import db

    first = _tokens(client, rp_credentials, personas["patient_moscow"])
    second = _refresh(client, rp_credentials, first["refresh_token"])
    assert second.status_code == 200
    rotated = second.get_json()["refresh_token"]
    assert rotated != first["refresh_token"]
    third = _refresh(client, rp_credentials, rotated)
    assert third.status_code == 200
    newest = third.get_json()["refresh_token"]

    replay = _refresh(client, rp_credentials, first["refresh_token"])  # the attacker's stolen copy
    assert json_error(replay) == "invalid_grant"
    for token in (rotated, newest):  # every member of the family is dead now
        assert json_error(_refresh(client, rp_credentials, token)) == "invalid_grant"
    status = client.post("/introspect", data={"token": newest}, auth=rp_credentials).get_json()
    assert status == {"active": False}
    with app.app_context():
        events = db.session.scalars(select(AuditEvent.event).where(AuditEvent.event == "refresh_token_reuse")).all()
    assert events, "the reuse is not in the audit log"


@pytest.mark.checklist(24)
def test_parallel_refresh_has_one_winner(
    app: Any, client: Any, rp_credentials: tuple[str, str], personas: dict
) -> None:
    """20 concurrent refreshes of one refresh token: one 200, 19 × invalid_grant, never a 5xx."""
    token = _tokens(client, rp_credentials, personas["patient_moscow"])["refresh_token"]
    results = in_parallel(app, 20, lambda web: _refresh(web, rp_credentials, token))
    statuses = sorted(status for status, _ in results)
    assert all(status < 500 for status in statuses), statuses
    assert statuses.count(200) == 1, statuses
    losers = [body for status, body in results if status != 200]
    assert all(status == 400 for status, _ in results if status != 200), statuses
    assert len(losers) == 19 and all(losers) and {present(body)["error"] for body in losers} == {"invalid_grant"}


@pytest.mark.checklist(24)
def test_reuse_racing_the_rotation_still_revokes_the_new_token(
    app: Any, client: Any, rp_credentials: tuple[str, str], personas: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stolen copy is replayed after the legitimate refresh marked the token used but before
    its successor is stored: the successor must not outlive the detected reuse."""
    token = _tokens(client, rp_credentials, personas["patient_moscow"])["refresh_token"]
    service = app.extensions["gosid"].refresh
    original_issue = service.issue
    replays: list[Any] = []
    threads: list[threading.Thread] = []

    def issue_after_a_replay(**kwargs: Any) -> Any:
        if kwargs.get("family") is not None and not threads:
            thread = threading.Thread(target=lambda: replays.append(_refresh(app.test_client(), rp_credentials, token)))
            thread.start()
            threads.append(thread)
            thread.join(timeout=0.5)  # the replay is in flight: it waits for this rotation's transaction
        return original_issue(**kwargs)

    monkeypatch.setattr(service, "issue", issue_after_a_replay)
    winner = _refresh(client, rp_credentials, token)
    threads[0].join(timeout=30)
    monkeypatch.undo()
    assert replays and json_error(replays[0]) == "invalid_grant"
    assert winner.status_code == 200, winner.text
    successor = winner.get_json()["refresh_token"]
    assert json_error(_refresh(client, rp_credentials, successor)) == "invalid_grant"


# --- 25. scope can narrow, never widen ---------------------------------------------------------------


@pytest.mark.checklist(25)
def test_refresh_with_broader_scope_is_invalid_scope_narrower_is_allowed(
    client: Any, rp_credentials: tuple[str, str], personas: dict
) -> None:
    tokens = _tokens(client, rp_credentials, personas["patient_moscow"], scope="openid profile medcard.rs")
    wider = _refresh(client, rp_credentials, tokens["refresh_token"], scope="openid profile medcard.rs medcard.cu")
    assert json_error(wider) == "invalid_scope"
    assert "access_token" not in wider.get_json()
    other = _tokens(client, rp_credentials, personas["patient_moscow"], scope="openid profile medcard.rs")
    narrower = _refresh(client, rp_credentials, other["refresh_token"], scope="openid medcard.rs")
    assert narrower.status_code == 200, narrower.text
    body = narrower.get_json()
    assert body["scope"].split() == ["openid", "medcard.rs"]
    info = client.get("/userinfo", headers=bearer(body["access_token"])).get_json()
    assert "family_name" not in info  # profile is gone from the new access token
    # the narrowed token cannot grow back beyond what it now carries
    regrow = _refresh(client, rp_credentials, body["refresh_token"], scope="openid profile medcard.rs medcard.cu")
    assert json_error(regrow) == "invalid_scope"


@pytest.mark.checklist(25)
def test_refused_scope_widening_does_not_burn_the_refresh_token(
    client: Any, rp_credentials: tuple[str, str], personas: dict
) -> None:
    """An invalid_scope answer changes nothing: the same token still refreshes (RFC 6749 §5.2)."""
    tokens = _tokens(client, rp_credentials, personas["patient_moscow"], scope="openid profile medcard.rs")
    for wider in ("openid profile medcard.rs medcard.cu", "openid snils", "openid profile medcard.rs admin"):
        resp = _refresh(client, rp_credentials, tokens["refresh_token"], scope=wider)
        assert json_error(resp) == "invalid_scope", (wider, resp.get_json())
    assert _refresh(client, rp_credentials, tokens["refresh_token"]).status_code == 200


# --- 26. refresh token bound to its client --------------------------------------------------------------


@pytest.mark.checklist(26)
def test_refresh_token_of_another_client_is_invalid_grant(
    client: Any, rp_credentials: tuple[str, str], personas: dict, other_client: Registered
) -> None:
    token = _tokens(client, rp_credentials, personas["patient_moscow"])["refresh_token"]
    stolen = _refresh(client, other_client.creds, token)
    assert json_error(stolen) == "invalid_grant"
    assert "access_token" not in stolen.get_json()
    # the attempt does not hurt the owner
    assert _refresh(client, rp_credentials, token).status_code == 200


# --- 27. refresh after logout, account disablement, client disablement ---------------------------------


@pytest.mark.checklist(27)
def test_refresh_after_logout_is_rejected(
    app: Any, client: Any, rp_credentials: tuple[str, str], personas: dict
) -> None:
    from tests.support.oidc_client import csrf_token

    tokens = _tokens(client, rp_credentials, personas["patient_moscow"])
    resp = client.get("/logout", query_string={"id_token_hint": tokens["id_token"]})  # RP-initiated
    assert resp.status_code in (200, 302, 303)
    assert client.get("/profile").status_code == 302  # the browser session is over
    assert json_error(_refresh(client, rp_credentials, tokens["refresh_token"])) == "invalid_grant"

    browser = app.test_client()
    tokens = _tokens(browser, rp_credentials, personas["patient_moscow"])
    page = browser.get("/logout")  # without a hint: confirmed by the person
    assert browser.post("/logout", data={"csrf_token": csrf_token(page.text)}).status_code in (200, 303)
    assert json_error(_refresh(browser, rp_credentials, tokens["refresh_token"])) == "invalid_grant"


@pytest.mark.checklist(27)
def test_refresh_after_account_or_client_disabled_is_rejected(
    app: Any, client: Any, rp_credentials: tuple[str, str], personas: dict
) -> None:
    from idp.oidc.models import OAuthClient
    from idp.storage.db import db

    disable_account = app.extensions["gosid"].lifecycle.disable_account

    patient = _tokens(client, rp_credentials, personas["patient_moscow"])
    doctor_browser = app.test_client()
    doctor = _tokens(doctor_browser, rp_credentials, personas["doctor_moscow"])
    with app.test_request_context(), transaction():
        assert disable_account(personas["patient_moscow"]["oid"])
    assert json_error(_refresh(client, rp_credentials, patient["refresh_token"])) == "invalid_grant"
    assert client.get("/userinfo", headers=bearer(patient["access_token"])).status_code == 401
    resp = _refresh(client, rp_credentials, doctor["refresh_token"])  # control: other people are unaffected
    assert resp.status_code == 200, resp.text
    doctor_token = resp.get_json()["refresh_token"]

    with app.app_context():
        db.session.execute(update(OAuthClient).where(OAuthClient.client_id == "egisz-demo").values(disabled=True))
        db.session.commit()
    resp = _refresh(client, rp_credentials, doctor_token)
    assert json_error(resp, (400, 401)) in ("invalid_client", "unauthorized_client", "invalid_grant")
    assert "access_token" not in resp.get_json()


# --- 28. absolute lifetime, even with sliding (idle) expiry -------------------------------------------


class ShiftedClock:
    """``utcnow`` for the refresh-token service, moved forward at will (Keycloak's setTimeOffset)."""

    def __init__(self) -> None:
        from idp.storage.db import utcnow

        self._real = utcnow
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return self._real() + self.offset


@pytest.mark.checklist(28)
def test_refresh_token_past_absolute_lifetime_is_rejected_despite_sliding_use(
    client: Any, rp_credentials: tuple[str, str], personas: dict, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ShiftedClock()
    monkeypatch.setattr("idp.oidc.refresh.utcnow", clock)
    absolute = timedelta(seconds=settings.refresh_token_ttl)
    idle = timedelta(seconds=settings.refresh_token_idle_ttl)
    assert idle < absolute
    token = _tokens(client, rp_credentials, personas["patient_moscow"])["refresh_token"]
    idle_family = _tokens(client, rp_credentials, personas["patient_moscow"])["refresh_token"]  # never used
    step = idle - timedelta(hours=1)  # always used within the idle lifetime
    while clock.offset + step < absolute:
        clock.offset += step
        resp = _refresh(client, rp_credentials, token)
        assert resp.status_code == 200, (clock.offset, resp.text)
        token = resp.get_json()["refresh_token"]
    assert json_error(_refresh(client, rp_credentials, idle_family)) == "invalid_grant"  # idle lifetime passed
    clock.offset = absolute + timedelta(minutes=1)
    assert json_error(_refresh(client, rp_credentials, token)) == "invalid_grant"  # absolute lifetime passed
