"""What must outlive the short-lived store lives in the database (issue 11 §3).

Each test does something the IdP must remember, then empties the store as a Redis restarted
without its data would be (the embedded store cleared; on the PostgreSQL + Redis backend every
key of the app's prefix deleted from the test database 15), and shows the IdP still remembers:
a revoked access token (by ``jti``, and by the ``sid`` of an ended session) stays inactive, a
DPoP proof and a client assertion replayed afterwards are refused, and a code replayed afterwards
is refused and still revokes what its first redemption issued. A code put back into the store
after its redemption (a Redis restored from an older snapshot) is refused too. Both backends.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from idp.replay.models import UsedValue
from idp.replay.used_values import UsedValues
from idp.security.hashes import secret_digest
from idp.settings import IdpSettings
from idp.storage.db import db
from idp.storage.unit_of_work import transaction
from tests.support.apps import seeded_app
from tests.support.attacker import TOKEN_URL, json_error
from tests.support.clients import DEMO_CREDS, ISSUER, register
from tests.support.flows import RP_REDIRECT, exchange
from tests.support.jose_builders import assertion_form, client_assertion, dpop_proof, ec_key, public_jwks
from tests.support.oidc_client import AuthRequest, csrf_token
from tests.support.parallel import in_parallel
from tests.support.sign_in import front_channel
from tests.support.store_loss import empty_the_store


def _active(client: Any, token: str) -> bool:
    resp = client.post("/introspect", data={"token": token}, auth=DEMO_CREDS)
    assert resp.status_code == 200, resp.text
    return bool(resp.get_json()["active"])


def _userinfo_status(client: Any, token: str) -> int:
    return int(client.get("/userinfo", headers={"Authorization": f"Bearer {token}"}).status_code)


def _code(browser: Any, persona: dict[str, Any], scope: str) -> tuple[AuthRequest, str]:
    req = AuthRequest(client_id=DEMO_CREDS[0], redirect_uri=RP_REDIRECT, scope=scope)
    return req, front_channel(browser, req, persona)["code"]


def _tokens(browser: Any, persona: dict[str, Any], scope: str = "openid profile offline_access") -> dict[str, Any]:
    req, code = _code(browser, persona, scope)
    resp = exchange(browser, DEMO_CREDS, req, code)
    assert resp.status_code == 200, resp.text
    return dict(resp.get_json())


# --- the access-token deny list -------------------------------------------------------------------


def test_a_revoked_access_token_stays_revoked_after_the_store_is_emptied(app: Flask, personas: dict) -> None:
    rp = app.test_client()
    tokens = _tokens(app.test_client(), personas["patient_moscow"])
    access = tokens["access_token"]
    resp = rp.post("/revoke", data={"token": access, "token_type_hint": "access_token"}, auth=DEMO_CREDS)
    assert resp.status_code == 200 and not _active(rp, access)
    empty_the_store(app)
    assert not _active(rp, access), "the revoked access token introspects as active again"
    assert _userinfo_status(rp, access) == 401
    # Control: the grant itself was not revoked, so a refreshed access token works.
    fresh = rp.post(
        "/token", data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}, auth=DEMO_CREDS
    )
    assert fresh.status_code == 200 and _active(rp, fresh.get_json()["access_token"])


def test_ended_sessions_stay_ended_for_their_access_tokens_after_the_store_is_emptied(
    app: Flask, personas: dict
) -> None:
    rp, here = app.test_client(), app.test_client()
    access = _tokens(here, personas["patient_moscow"], scope="openid profile")["access_token"]  # no refresh family
    assert _active(rp, access)
    page = here.get("/profile/sessions")
    assert here.post("/profile/sessions/end-all", data={"csrf_token": csrf_token(page.text)}).status_code == 303
    assert not _active(rp, access)
    empty_the_store(app)
    assert not _active(rp, access), "an access token of an ended session introspects as active again"
    assert _userinfo_status(rp, access) == 401


# --- replay guards --------------------------------------------------------------------------------


@pytest.fixture
def lenient_dpop_app(settings: IdpSettings, persona_rows: list[dict[str, Any]]) -> Iterator[Flask]:
    """DPoP without server nonces (``dpop_require_nonce = false``): the proof's ``jti`` is then
    the only thing that stops its replay (a nonce would be lost with the store as well)."""
    yield from seeded_app(replace(settings, dpop_require_nonce=False), persona_rows)


def test_a_dpop_proof_replayed_after_the_store_is_emptied_is_refused(lenient_dpop_app: Flask) -> None:
    app = lenient_dpop_app
    creds = ("dpop-robot", "dpop-robot-secret-0123456789")
    register(
        app,
        client_id=creds[0],
        redirect_uris=["https://robot.example.ru/cb"],
        scopes=["medcard.rs"],
        grant_types=("client_credentials",),
        dpop_bound=True,
        client_secret=creds[1],
    )
    client = app.test_client()
    proof = dpop_proof(ec_key(), htu=TOKEN_URL)
    form = {"grant_type": "client_credentials", "scope": "medcard.rs"}
    first = client.post("/token", data=form, headers={"DPoP": proof}, auth=creds)
    assert first.status_code == 200 and first.get_json()["token_type"] == "DPoP", first.text
    empty_the_store(app)
    replay = client.post("/token", data=form, headers={"DPoP": proof}, auth=creds)
    assert json_error(replay) == "invalid_dpop_proof"
    assert "replay" in replay.get_json()["error_description"]


def test_a_client_assertion_replayed_after_the_store_is_emptied_is_refused(app: Flask) -> None:
    key = ec_key("robot-key")
    register(
        app,
        client_id="jwt-robot",
        redirect_uris=["https://jwt-robot.example.ru/cb"],
        scopes=["medcard.rs"],
        auth_method="private_key_jwt",
        grant_types=("client_credentials",),
        jwks=public_jwks(key),
    )
    client = app.test_client()
    form = {
        "grant_type": "client_credentials",
        "scope": "medcard.rs",
        **assertion_form(client_assertion(key, client_id="jwt-robot", audience=ISSUER)),
    }
    assert client.post("/token", data=form).status_code == 200
    empty_the_store(app)
    assert json_error(client.post("/token", data=form), (400, 401)) == "invalid_client"


def test_parallel_uses_of_one_client_assertion_have_exactly_one_winner(app: Flask) -> None:
    """The database's unique key decides, across threads (and workers): no check-then-insert."""
    key = ec_key("racer-key")
    register(
        app,
        client_id="jwt-racer",
        redirect_uris=["https://jwt-racer.example.ru/cb"],
        scopes=["medcard.rs"],
        auth_method="private_key_jwt",
        grant_types=("client_credentials",),
        jwks=public_jwks(key),
    )
    form = {
        "grant_type": "client_credentials",
        "scope": "medcard.rs",
        **assertion_form(client_assertion(key, client_id="jwt-racer", audience=ISSUER)),
    }
    outcomes = in_parallel(app, 8, lambda web: web.post("/token", data=form))
    assert [status for status, _ in outcomes].count(200) == 1, outcomes
    assert all((body or {}).get("error") == "invalid_client" for status, body in outcomes if status != 200)


def test_a_code_replayed_after_the_store_is_emptied_still_revokes_what_it_produced(app: Flask, personas: dict) -> None:
    browser, rp = app.test_client(), app.test_client()
    req, code = _code(browser, personas["patient_moscow"], "openid profile offline_access")
    first = exchange(browser, DEMO_CREDS, req, code)
    assert first.status_code == 200, first.text
    tokens = first.get_json()
    assert _active(rp, tokens["access_token"])
    empty_the_store(app)
    assert json_error(exchange(browser, DEMO_CREDS, req, code)) == "invalid_grant"
    assert not _active(rp, tokens["access_token"]), "the replay did not revoke the first access token"
    refreshed = rp.post(
        "/token", data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}, auth=DEMO_CREDS
    )
    assert json_error(refreshed) == "invalid_grant", "the replay did not revoke the refresh family"


def test_a_code_put_back_into_the_store_after_its_redemption_is_refused(app: Flask, personas: dict) -> None:
    """A Redis restored from a snapshot taken before the redemption brings the code back."""
    browser, rp = app.test_client(), app.test_client()
    req, code = _code(browser, personas["patient_moscow"], "openid profile offline_access")
    store, key = app.extensions["gosid"].store, f"code:{secret_digest(code)}"
    snapshot = store.get(key)
    assert snapshot is not None
    tokens = exchange(browser, DEMO_CREDS, req, code).get_json()
    store.set(key, snapshot, ttl=60)  # the restored snapshot
    assert json_error(exchange(browser, DEMO_CREDS, req, code)) == "invalid_grant"
    assert not _active(rp, tokens["access_token"])


# --- the records themselves -----------------------------------------------------------------------


class SteppingClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_expired_uses_are_purged_on_write_and_a_value_is_reusable_once_expired(app: Flask) -> None:
    clock = SteppingClock(1_800_000_000.0)
    used = UsedValues(clock=clock, purge_interval=60)

    def rows() -> int:
        return int(
            db.session.scalar(select(func.count()).select_from(UsedValue).where(UsedValue.namespace == "t")) or 0
        )

    with app.app_context(), transaction():
        assert used.first_use("t", "a", until=clock.now + 10)
        assert used.first_use("t", "b", until=clock.now + 10)
        assert not used.first_use("t", "a", until=clock.now + 10)  # a replay
        clock.now += 10  # both have expired: "a" may be used again
        assert used.first_use("t", "a", until=clock.now + 10)
        assert not used.first_use("t", "a", until=clock.now + 10)
        assert rows() == 2  # nothing purged yet: the first purge ran before anything was written
        clock.now += 60  # the purge interval has passed
        assert used.first_use("t", "c", until=clock.now + 10)
        assert rows() == 1  # "a" and "b" were purged by the write of "c"
