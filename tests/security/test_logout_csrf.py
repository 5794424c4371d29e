"""Logout CSRF: an ID token that is not this browser's session's never ends it unasked.

The attacker signs in to their own client as themselves, then lures the victim's browser to
``/logout?id_token_hint=<the attacker's ID token>&post_logout_redirect_uri=<the attacker
client's URI>``. The hint is a valid ID token of this IdP, but its ``sub``/``sid`` are not the
victim's session's: the IdP shows the confirmation page and ends nothing until the person
confirms with the page's CSRF-protected POST (OpenID Connect RP-Initiated Logout 1.0 §2: the
OP asks the End-User whether to log out when the hint does not match).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.clients import register
from tests.support.oidc_client import csrf_token
from tests.support.sign_in import sign_in

ATTACKER_CLIENT = ("attacker-app", "attacker-app-secret-0123456789")
ATTACKER_REDIRECT = "https://attacker.example.ru/cb"
ATTACKER_LOGOUT = "https://attacker.example.ru/logged-out"
DEMO_LOGOUT = "http://localhost:8001/"


def _attacker_client(app: Any) -> None:
    register(
        app,
        client_id=ATTACKER_CLIENT[0],
        redirect_uris=[ATTACKER_REDIRECT],
        post_logout_redirect_uris=[ATTACKER_LOGOUT],
        client_secret=ATTACKER_CLIENT[1],
    )


def _signed_in(browser: Any) -> bool:
    return browser.get("/profile").status_code == 200


def _is_confirmation(resp: Any) -> bool:
    return resp.status_code == 200 and 'action="/logout"' in resp.text and "Location" not in resp.headers


def _attacker_id_token(app: Any, personas: dict[str, Any]) -> str:
    _attacker_client(app)
    attacker = app.test_client()
    done = sign_in(
        attacker, personas["doctor_moscow"], client_id=ATTACKER_CLIENT[0], creds=ATTACKER_CLIENT,
        redirect_uri=ATTACKER_REDIRECT,
    )  # fmt: skip
    return done.id_token


@pytest.mark.checklist(39)
def test_a_foreign_id_token_hint_asks_the_victim_and_ends_nothing(app: Any, personas: dict[str, Any]) -> None:
    victim = app.test_client()
    sign_in(victim, personas["patient_moscow"])
    lure = {"id_token_hint": _attacker_id_token(app, personas), "post_logout_redirect_uri": ATTACKER_LOGOUT}
    page = victim.get("/logout", query_string={**lure, "state": "x"})
    assert _is_confirmation(page), (page.status_code, page.headers.get("Location"))
    assert _signed_in(victim), "the attacker's hint ended the victim's session"
    forged = victim.post("/logout", data={**lure, "client_id": ATTACKER_CLIENT[0]})  # a cross-site form, no token
    assert forged.status_code == 403 and _signed_in(victim)
    confirmed = victim.post("/logout", data={"csrf_token": csrf_token(page.text), **lure})
    assert confirmed.status_code in (200, 303) and not _signed_in(victim), "the person's own confirmation"


@pytest.mark.checklist(39)
def test_the_victims_own_earlier_session_hint_asks_too(app: Any, personas: dict[str, Any]) -> None:
    """The same person, another session (``sid`` differs): that session is not this one."""
    patient = personas["patient_moscow"]
    elsewhere = app.test_client()
    old = sign_in(elsewhere, patient)
    here = app.test_client()
    sign_in(here, patient)
    page = here.get("/logout", query_string={"id_token_hint": old.id_token, "post_logout_redirect_uri": DEMO_LOGOUT})
    assert _is_confirmation(page) and _signed_in(here) and _signed_in(elsewhere)


@pytest.mark.checklist(39)
def test_the_sessions_own_hint_still_logs_out_at_once(app: Any, personas: dict[str, Any]) -> None:
    browser = app.test_client()
    done = sign_in(browser, personas["patient_moscow"])
    query = {"id_token_hint": done.id_token, "post_logout_redirect_uri": DEMO_LOGOUT, "state": "s"}
    resp = browser.get("/logout", query_string=query)
    assert resp.status_code == 303 and resp.headers["Location"] == DEMO_LOGOUT + "?state=s"
    assert not _signed_in(browser)
