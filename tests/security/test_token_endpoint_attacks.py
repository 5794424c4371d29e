"""Security checklist section 1, items 18-23 and 29: attacks on the token endpoint with codes and
client credentials, each refused with the RFC error an attacker would see."""

from __future__ import annotations

import time
from typing import Any

import pytest

from idp.storage.unit_of_work import transaction
from tests.support.attacker import (
    TOKEN_URL,
    code_exchange,
    code_for,
    demo_request,
    error_redirect,
    json_error,
    next_code,
)
from tests.support.clients import ISSUER, Registered
from tests.support.flows import RP_REDIRECT
from tests.support.jose_builders import assertion_form, client_assertion, ec_key
from tests.support.oidc_client import AuthRequest
from tests.support.parallel import in_parallel
from tests.support.sign_in import bearer


def _introspect(client: Any, creds: tuple[str, str], token: str) -> dict[str, Any]:
    resp = client.post("/introspect", data={"token": token}, auth=creds)
    assert resp.status_code == 200, resp.text
    return dict(resp.get_json())


# --- 18. code replay: refused, and what the code produced is revoked ---------------------------


@pytest.mark.checklist(18)
def test_code_replay_is_invalid_grant_and_revokes_issued_tokens(
    client: Any, rp_credentials: tuple[str, str], personas: dict
) -> None:
    req = demo_request(scope="openid profile offline_access")
    code = code_for(client, req, personas["patient_moscow"])
    first = client.post("/token", data=code_exchange(req, code), auth=rp_credentials)
    assert first.status_code == 200, first.text
    tokens = first.get_json()
    assert client.get("/userinfo", headers=bearer(tokens["access_token"])).status_code == 200

    replay = client.post("/token", data=code_exchange(req, code), auth=rp_credentials)
    assert json_error(replay) == "invalid_grant"
    assert "access_token" not in replay.get_json()

    assert client.get("/userinfo", headers=bearer(tokens["access_token"])).status_code == 401
    assert _introspect(client, rp_credentials, tokens["access_token"])["active"] is False
    assert _introspect(client, rp_credentials, tokens["refresh_token"])["active"] is False
    refreshed = client.post(
        "/token", data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}, auth=rp_credentials
    )
    assert json_error(refreshed) == "invalid_grant"


# --- 19. parallel redemption: exactly one winner -------------------------------------------------


@pytest.mark.checklist(19)
def test_parallel_code_redemption_has_one_winner(
    app: Any, client: Any, rp_credentials: tuple[str, str], personas: dict
) -> None:
    """20 concurrent redemptions of one code: one 200, 19 × invalid_grant, never a 5xx."""
    req = demo_request()
    code = code_for(client, req, personas["patient_moscow"])
    results = in_parallel(app, 20, lambda web: web.post("/token", data=code_exchange(req, code), auth=rp_credentials))
    statuses = sorted(status for status, _ in results)
    assert all(status < 500 for status in statuses), statuses
    assert statuses.count(200) == 1, statuses
    losers = [body for status, body in results if status != 200]
    assert len(losers) == 19 and all(status == 400 for status, _ in results if status != 200), statuses
    assert {body["error"] for body in losers if body} == {"invalid_grant"} and all(losers)


# --- 20. codes are short-lived ------------------------------------------------------------------


@pytest.mark.checklist(20)
def test_code_older_than_its_lifetime_is_invalid_grant(
    app: Any, client: Any, rp_credentials: tuple[str, str], personas: dict, settings: Any
) -> None:
    assert 0 < settings.authorization_code_ttl <= 60  # F2: at most 60 s
    svc = app.extensions["gosid"]
    req = demo_request()
    code_for(client, req, personas["patient_moscow"])
    stored = [k for k in _store_keys(svc.store) if k.startswith("code:")]
    assert stored and all(0 < (svc.store.ttl(k) or 0) <= 60 for k in stored)

    svc.codes._ttl = 1  # from now on codes live one second (the only sleep of the suite follows)
    code = next_code(client, req)
    time.sleep(1.01)
    resp = client.post("/token", data=code_exchange(req, code), auth=rp_credentials)
    assert json_error(resp) == "invalid_grant"


def _store_keys(store: Any) -> list[str]:
    data = getattr(store, "_data", None)
    if data is not None:
        return list(data)
    return [k[len(store._prefix) :] for k in store._redis.scan_iter(store._prefix + "*")]


# --- 21. code bound to its client and redirect_uri ---------------------------------------------


@pytest.mark.checklist(21)
def test_code_redeemed_by_another_client_or_with_another_redirect_uri_is_invalid_grant(
    client: Any, rp_credentials: tuple[str, str], personas: dict, other_client: Registered
) -> None:
    req = demo_request()
    code = code_for(client, req, personas["patient_moscow"])
    stolen = client.post("/token", data=code_exchange(req, code), auth=other_client.creds)
    assert json_error(stolen) == "invalid_grant"
    assert "access_token" not in stolen.get_json()
    own_uri = client.post(
        "/token",
        data=code_exchange(req, next_code(client, req), redirect_uri=other_client.redirect_uri),
        auth=other_client.creds,
    )
    assert json_error(own_uri) == "invalid_grant"
    for uri in (RP_REDIRECT + "/", "http://localhost:8001/auth/other", None):
        data = code_exchange(req, next_code(client, req))
        if uri is None:
            del data["redirect_uri"]  # OIDC Core §3.1.3.2: it was in the request, so it is required
        else:
            data["redirect_uri"] = uri
        resp = client.post("/token", data=data, auth=rp_credentials)
        assert json_error(resp) in ("invalid_grant", "invalid_request"), uri
        assert "access_token" not in resp.get_json()


# --- 22. client authentication --------------------------------------------------------------------


@pytest.mark.checklist(22)
def test_wrong_missing_or_unregistered_client_authentication_is_invalid_client(
    client: Any, rp_credentials: tuple[str, str], personas: dict, client_key: Any
) -> None:
    from joserfc import jwt
    from joserfc.jwk import OctKey

    req = demo_request()
    code = code_for(client, req, personas["patient_moscow"])
    client_id, secret = rp_credentials
    for creds in (("egisz-demo", "not-the-secret"), ("nobody", "secret")):
        basic = client.post("/token", data=code_exchange(req, code), auth=creds)
        assert json_error(basic, 401) == "invalid_client", creds
        assert basic.headers.get("WWW-Authenticate", "").lower().startswith("basic"), creds
    hs256 = jwt.encode(  # client_secret_jwt: an HMAC over the shared secret, not supported
        {"alg": "HS256"},
        {"iss": client_id, "sub": client_id, "aud": ISSUER, "jti": "hs-1", "exp": int(time.time()) + 60},
        OctKey.import_key(secret.encode()),
        algorithms=["HS256"],
    )
    for what, data in (
        ("no credentials", code_exchange(req, code, client_id=client_id)),
        ("wrong secret by POST", code_exchange(req, code, client_id=client_id, client_secret="not-the-secret")),
        # egisz-demo is registered for client_secret_basic: the right secret by POST is refused
        ("unregistered method", code_exchange(req, code, client_id=client_id, client_secret=secret)),
        # ... and so is private_key_jwt with a key it never registered
        (
            "unregistered key",
            {
                **code_exchange(req, code),
                **assertion_form(client_assertion(client_key, client_id=client_id, audience=ISSUER)),
            },
        ),
        ("client_secret_jwt", {**code_exchange(req, code, client_id=client_id), **assertion_form(hs256)}),
    ):
        resp = client.post("/token", data=data)
        assert json_error(resp, (400, 401)) == "invalid_client", what
        assert "access_token" not in resp.get_json()
    # the code was never consumed by those failures: the real client still redeems it
    assert client.post("/token", data=code_exchange(req, code), auth=rp_credentials).status_code == 200


@pytest.mark.checklist(22)
def test_more_than_one_authentication_mechanism_is_invalid_request(
    client: Any, rp_credentials: tuple[str, str], personas: dict, client_key: Any
) -> None:
    req = demo_request()
    code = code_for(client, req, personas["patient_moscow"])
    client_id, secret = rp_credentials
    assertion = assertion_form(client_assertion(client_key, client_id=client_id, audience=ISSUER))
    for endpoint, base in (
        ("/token", code_exchange(req, code)),
        ("/par", req.params()),
        ("/introspect", {"token": "x"}),
        ("/revoke", {"token": "x"}),
    ):
        for extra in ({"client_secret": secret}, assertion):
            resp = client.post(endpoint, data={**base, "client_id": client_id, **extra}, auth=rp_credentials)
            assert json_error(resp) == "invalid_request", (endpoint, sorted(extra))
        both_in_body = client.post(
            endpoint, data={**base, "client_id": client_id, "client_secret": secret, **assertion}
        )
        assert json_error(both_in_body) == "invalid_request", endpoint


# --- 23. private_key_jwt assertions -----------------------------------------------------------------


def _machine_token(client: Any, assertion: str) -> Any:
    return client.post(
        "/token", data={"grant_type": "client_credentials", "scope": "medcard.rs", **assertion_form(assertion)}
    )


@pytest.mark.checklist(23)
def test_private_key_jwt_audience_array_or_token_url_is_refused(client: Any, pkjwt_client: Registered) -> None:
    for audience in ([ISSUER], [ISSUER, TOKEN_URL], TOKEN_URL, ISSUER + "/", "https://evil.example"):
        assertion = client_assertion(pkjwt_client.signing_key, client_id=pkjwt_client.client_id, audience=audience)
        assert json_error(_machine_token(client, assertion), (400, 401)) == "invalid_client", audience
    # Control: the same client with the issuer identifier as a single string is accepted.
    good = client_assertion(pkjwt_client.signing_key, client_id=pkjwt_client.client_id, audience=ISSUER)
    assert _machine_token(client, good).status_code == 200


@pytest.mark.checklist(23)
def test_private_key_jwt_replayed_jti_or_expired_is_refused(client: Any, pkjwt_client: Registered) -> None:
    cid, signer = pkjwt_client.client_id, pkjwt_client.signing_key
    assertion = client_assertion(signer, client_id=cid, audience=ISSUER)
    assert _machine_token(client, assertion).status_code == 200
    assert json_error(_machine_token(client, assertion), (400, 401)) == "invalid_client"  # replayed as is
    assert _machine_token(client, client_assertion(signer, client_id=cid, audience=ISSUER, jti="j")).status_code == 200
    again = client_assertion(signer, client_id=cid, audience=ISSUER, jti="j")  # new signature, same jti
    assert json_error(_machine_token(client, again), (400, 401)) == "invalid_client"
    now = int(time.time())
    attacker = ec_key(signer.kid)  # same kid, other key
    for what, forged in (
        ("expired", client_assertion(signer, client_id=cid, audience=ISSUER, iat=now - 120, exp=now - 60)),
        ("just expired", client_assertion(signer, client_id=cid, audience=ISSUER, iat=now - 60, exp=now - 1)),
        ("no exp", client_assertion(signer, client_id=cid, audience=ISSUER, exp=None)),
        ("no jti", client_assertion(signer, client_id=cid, audience=ISSUER, jti=None)),
        ("day-long", client_assertion(signer, client_id=cid, audience=ISSUER, exp=now + 24 * 3600)),
        ("unregistered key", client_assertion(attacker, client_id=cid, audience=ISSUER)),
        (
            "embedded jwk",
            client_assertion(attacker, client_id=cid, audience=ISSUER, header={"jwk": attacker.as_dict(private=False)}),
        ),
    ):
        assert json_error(_machine_token(client, forged), (400, 401)) == "invalid_client", what


# --- 29. grant types a client is not registered for --------------------------------------------------


@pytest.mark.checklist(29)
def test_unregistered_grant_type_is_unauthorized_client(
    app: Any, client: Any, rp_credentials: tuple[str, str], machine_client: Registered, personas: dict
) -> None:
    from idp.oidc.clients import register_client

    # egisz-demo is registered for authorization_code + refresh_token only
    resp = client.post("/token", data={"grant_type": "client_credentials", "scope": "profile"}, auth=rp_credentials)
    assert json_error(resp, (400, 401)) == "unauthorized_client"
    # the machine client is registered for client_credentials only
    for data in (
        {"grant_type": "refresh_token", "refresh_token": "whatever"},
        {"grant_type": "authorization_code", "code": "whatever", "redirect_uri": machine_client.redirect_uri},
    ):
        resp = client.post("/token", data=data, auth=machine_client.creds)
        assert json_error(resp, (400, 401)) == "unauthorized_client", data["grant_type"]
    # a code-only client gets no refresh token and cannot use one
    with app.app_context(), transaction():
        secret = register_client(
            client_id="no-refresh",
            name="no-refresh",
            redirect_uris=["https://nr.example.ru/cb"],
            scopes=["profile"],
            grant_types=("authorization_code",),
        ).client_secret
    assert secret
    req = AuthRequest(client_id="no-refresh", redirect_uri="https://nr.example.ru/cb")
    tokens = client.post(
        "/token",
        data=code_exchange(req, code_for(client, req, personas["patient_moscow"])),
        auth=("no-refresh", secret),
    ).get_json()
    assert "access_token" in tokens and "refresh_token" not in tokens
    resp = client.post(
        "/token", data={"grant_type": "refresh_token", "refresh_token": "anything"}, auth=("no-refresh", secret)
    )
    assert json_error(resp, (400, 401)) == "unauthorized_client"


@pytest.mark.checklist(29)
def test_client_not_registered_for_authorization_code_gets_no_code(
    client: Any, personas: dict, machine_client: Registered
) -> None:
    code_for(client, demo_request(), personas["patient_moscow"])  # a signed-in person
    req = AuthRequest(client_id=machine_client.client_id, redirect_uri=machine_client.redirect_uri, scope="openid")
    resp = client.get("/authorize?" + req.query())
    location = resp.headers.get("Location", "")
    assert "code=" not in location, location
    if resp.status_code in (302, 303):
        assert error_redirect(resp, machine_client.redirect_uri)["error"] == "unauthorized_client"
    else:
        assert resp.status_code == 400 and "unauthorized_client" in resp.text
