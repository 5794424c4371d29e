"""Security checklist items 31-45 as they apply to the IdP: JWT handling, logout, sessions.

Each test carries its item in a ``checklist`` marker. Item 36 and the RP/RS halves of 33 and 37
are in test_relying_party_attacks.py; 44's idle timeout and 45's password change are tested with the
features (see docs/SECURITY.md). Every test runs on both backends.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.support.audit_log import audit_events
from tests.support.clients import DEMO_CREDS, ISSUER, register
from tests.support.cookies import session_cookie, session_data, set_cookie_headers
from tests.support.flows import RP_REDIRECT, outbox_code, password_step, refresh, sms_step
from tests.support.handmade_jwts import (
    assertion,
    decode_part,
    dpop_proof,
    hs256_jwt,
    published_keyset,
    signed_jwt,
    unsecured_jwt,
)
from tests.support.jose_builders import ASSERTION_TYPE, ec_key, rsa_key
from tests.support.logout_receiver import BACKCHANNEL_EVENT, LogoutReceiver
from tests.support.oidc_client import AuthRequest, csrf_token, query_of
from tests.support.sign_in import bearer, sign_in

POST_LOGOUT = "http://localhost:8001/"
MACHINE = ("robot-31", "robot-secret-0123456789-abcdef")
JWT_CLIENT = "jwt-31"
OFFLINE = "openid profile offline_access"  # refresh tokens come with offline access


def _machine(app: Any) -> tuple[str, str]:
    register(
        app,
        client_id=MACHINE[0],
        redirect_uris=[],
        scopes=["medcard.rs"],
        grant_types=("client_credentials",),
        client_secret=MACHINE[1],
    )
    return MACHINE


def _jwt_client(app: Any) -> Any:
    key = ec_key("jwt-31-key")
    register(
        app,
        client_id=JWT_CLIENT,
        redirect_uris=[],
        scopes=["medcard.rs"],
        auth_method="private_key_jwt",
        grant_types=("client_credentials",),
        jwks={"keys": [key.as_dict(private=False)]},
    )
    return key


def _with_assertion(client: Any, value: str) -> Any:
    return client.post(
        "/token",
        data={
            "grant_type": "client_credentials",
            "client_id": JWT_CLIENT,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": value,
        },
    )


def _assertion_refused(resp: Any) -> bool:
    """invalid_client: 400, or 401 had the client used the Authorization header (RFC 6749 §5.2)."""
    return resp.status_code in (400, 401) and resp.get_json()["error"] == "invalid_client"


def _userinfo_status(client: Any, token: str) -> int:
    return int(client.get("/userinfo", headers=bearer(token)).status_code)


def _dpop_token_call(client: Any, proof: str) -> Any:
    return client.post("/token", data={"grant_type": "client_credentials"}, auth=MACHINE, headers={"DPoP": proof})


def _server_nonce(client: Any) -> str:
    resp = _dpop_token_call(client, dpop_proof(ec_key("probe"), htm="POST", htu=f"{ISSUER}/token"))
    assert resp.status_code == 400 and resp.get_json()["error"] == "use_dpop_nonce", resp.text
    return str(resp.headers["DPoP-Nonce"])


def _is_confirmation_page(resp: Any) -> bool:
    return resp.status_code == 200 and 'action="/logout"' in resp.text and "Location" not in resp.headers


def _signed_in(client: Any) -> bool:
    return client.get("/profile").status_code == 200


# --- 31-35: JWT handling --------------------------------------------------------------------


@pytest.mark.checklist(31)
def test_alg_none_tokens_are_refused(app: Any, client: Any, personas: dict[str, Any]) -> None:
    done = sign_in(client, personas["patient_moscow"])
    _machine(app)
    key = _jwt_client(app)
    access = decode_part(done.access_token, 1)
    # An access token re-issued with alg "none" (same claims) is no token at all.
    forged = unsecured_jwt({"typ": "at+jwt", "kid": decode_part(done.access_token, 0)["kid"]}, access)
    assert _userinfo_status(client, forged) == 401
    assert client.post("/introspect", data={"token": forged}, auth=DEMO_CREDS).get_json() == {"active": False}
    # An unsecured client assertion does not authenticate the client.
    claims = decode_part(assertion(key, JWT_CLIENT), 1)
    assert _assertion_refused(_with_assertion(client, unsecured_jwt({"kid": key.kid}, claims)))
    assert _with_assertion(client, assertion(key, JWT_CLIENT)).status_code == 200  # the real one works
    # An unsecured DPoP proof.
    proof = dpop_proof(ec_key("dpop"), htm="POST", htu=f"{ISSUER}/token", nonce=_server_nonce(client))
    none_proof = unsecured_jwt(decode_part(proof, 0), decode_part(proof, 1))
    assert _dpop_token_call(client, none_proof).get_json()["error"] == "invalid_dpop_proof"
    # An unsecured ID token as id_token_hint names no client: logout asks for confirmation.
    hint = unsecured_jwt({"typ": "JWT"}, decode_part(done.id_token, 1))
    resp = client.get("/logout", query_string={"id_token_hint": hint, "post_logout_redirect_uri": POST_LOGOUT})
    assert _is_confirmation_page(resp) and _signed_in(client)
    # ... and the parameters of an unsecured request object are never applied. (The IdP does
    # not support request objects at all: discovery says request_parameter_supported false.)
    req = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT, state="outer-state")
    smuggled = {**req.params(), "state": "from-unsigned-object", "iss": "egisz-demo", "aud": ISSUER}
    answer = client.get("/authorize", query_string={**req.params(), "request": unsecured_jwt({}, smuggled)})
    assert query_of(answer.headers.get("Location", "")).get("state") != "from-unsigned-object"
    # The IdP never issues "none" and never lets a client ask for it.
    meta = client.get("/.well-known/openid-configuration").get_json()
    for name, values in meta.items():
        if name.endswith("alg_values_supported"):
            assert "none" not in values, name
    from idp.oidc.clients import ClientRegistrationError

    for alg_field in ("id_token_alg", "access_token_alg"):
        try:
            register(app, client_id=f"none-{alg_field}", redirect_uris=[RP_REDIRECT], **{alg_field: "none"})
        except ClientRegistrationError as exc:
            assert "never none" in str(exc)
        else:
            raise AssertionError(f"{alg_field}=none was registered")


@pytest.mark.checklist(32)
def test_hs256_token_maced_with_the_public_key_is_refused(app: Any, client: Any, personas: dict[str, Any]) -> None:
    done = sign_in(client, personas["patient_moscow"])
    _machine(app)
    client_key = _jwt_client(app)
    header = decode_part(done.access_token, 0)
    published = next(k for k in client.get("/jwks.json").get_json()["keys"] if k["kid"] == header["kid"])
    public = RSAKey.import_key(published)
    # Every encoding of the public key an attacker might try as the HMAC secret.
    secrets_to_try = [
        public.as_pem(private=False),
        public.as_der(private=False) if hasattr(public, "as_der") else public.as_pem(private=False),
        published["n"].encode(),
    ]
    for secret in secrets_to_try:
        forged = hs256_jwt(header, decode_part(done.access_token, 1), secret)
        assert _userinfo_status(client, forged) == 401
        hint = hs256_jwt(decode_part(done.id_token, 0), decode_part(done.id_token, 1), secret)
        assert _is_confirmation_page(client.get("/logout", query_string={"id_token_hint": hint}))
    # A client assertion MAC'd with the client's registered public key.
    claims = decode_part(assertion(client_key, JWT_CLIENT), 1)
    forged_assertion = hs256_jwt({"kid": client_key.kid}, claims, client_key.as_pem(private=False))
    assert _assertion_refused(_with_assertion(client, forged_assertion))
    # A DPoP proof MAC'd with the public key it carries.
    dkey = ec_key("dpop")
    proof = dpop_proof(dkey, htm="POST", htu=f"{ISSUER}/token", nonce=_server_nonce(client))
    hs_proof = hs256_jwt(decode_part(proof, 0), decode_part(proof, 1), dkey.as_pem(private=False))
    assert _dpop_token_call(client, hs_proof).get_json()["error"] == "invalid_dpop_proof"
    assert _signed_in(client)


@pytest.mark.checklist(33)
def test_unknown_kid_and_keys_named_in_the_header_are_not_trusted(
    app: Any, client: Any, personas: dict[str, Any]
) -> None:
    done = sign_in(client, personas["patient_moscow"])
    client_key = _jwt_client(app)
    header, claims = decode_part(done.access_token, 0), decode_part(done.access_token, 1)
    attacker = rsa_key("attacker")
    with LogoutReceiver([]) as key_host:  # would see any fetch of jku / x5u
        variants = [
            {**header, "kid": "unknown-kid"},  # a kid the IdP never published
            header,  # the IdP's own kid, signed by the attacker
            {**header, "kid": "attacker", "jwk": attacker.as_dict(private=False)},
            {**header, "kid": "attacker", "jku": key_host.uri},
            {**header, "kid": "attacker", "x5u": key_host.uri},
        ]
        for forged_header in variants:
            forged = signed_jwt(attacker, forged_header, claims)
            assert _userinfo_status(client, forged) == 401, forged_header
            assert client.post("/introspect", data={"token": forged}, auth=DEMO_CREDS).get_json() == {"active": False}
            hint = signed_jwt(attacker, {**forged_header, "typ": "JWT"}, decode_part(done.id_token, 1))
            assert _is_confirmation_page(client.get("/logout", query_string={"id_token_hint": hint}))
        # A client assertion signed by a key the client never registered, named in its header.
        for extra in ({"jwk": attacker.as_dict(private=False)}, {"jku": key_host.uri}, {"x5u": key_host.uri}):
            forged_assertion = signed_jwt(
                attacker,
                {"alg": "RS256", "kid": client_key.kid, **extra},
                decode_part(assertion(client_key, JWT_CLIENT), 1),
            )
            assert _assertion_refused(_with_assertion(client, forged_assertion)), extra
        assert key_host.received == [], "the IdP fetched a key URL named in a token header"
    assert _userinfo_status(client, done.access_token) == 200


@pytest.mark.checklist(34)
def test_clock_skew_small_future_iat_accepted_large_refused_expired_refused(
    app: Any, client: Any, personas: dict[str, Any]
) -> None:
    _machine(app)
    key = _jwt_client(app)
    now = int(time.time())
    # Client assertions.
    assert _with_assertion(client, assertion(key, JWT_CLIENT, iat=now + 10, exp=now + 70)).status_code == 200
    assert _with_assertion(client, assertion(key, JWT_CLIENT, iat=now + 10, nbf=now + 10)).status_code == 200
    lates: list[dict[str, Any]] = [{"iat": now + 120, "exp": now + 180}, {"nbf": now + 120, "exp": now + 180}]
    for late in [*lates, {"exp": now - 1}]:
        assert _assertion_refused(_with_assertion(client, assertion(key, JWT_CLIENT, **late))), late
    # DPoP proofs.
    nonce = _server_nonce(client)
    dkey = ec_key("dpop")

    def proof(iat: int) -> str:
        return dpop_proof(dkey, htm="POST", htu=f"{ISSUER}/token", nonce=nonce, iat=iat)

    assert _dpop_token_call(client, proof(now + 5)).status_code == 200
    for bad_iat in (now + 120, now - 600):
        assert _dpop_token_call(client, proof(bad_iat)).get_json()["error"] == "invalid_dpop_proof", bad_iat
    # The IdP's own access tokens: expired, or issued in the future.
    done = sign_in(client, personas["patient_moscow"])
    claims = decode_part(done.access_token, 1)
    signer = app.extensions["gosid"].signer
    with app.app_context():
        expired = signer.sign({**claims, "iat": now - 700, "exp": now - 100}, typ="at+jwt")
        future = signer.sign({**claims, "iat": now + 120, "exp": now + 700}, typ="at+jwt")
        slightly_ahead = signer.sign({**claims, "iat": now + 10, "exp": now + 600}, typ="at+jwt")
    assert _userinfo_status(client, expired) == 401
    assert _userinfo_status(client, future) == 401
    assert _userinfo_status(client, slightly_ahead) == 200


@pytest.mark.checklist(35)
def test_id_token_or_another_clients_token_is_not_an_access_token(
    app: Any, client: Any, personas: dict[str, Any]
) -> None:
    done = sign_in(client, personas["patient_moscow"], scope="openid profile offline_access")
    # The ID token and the refresh token are not access tokens.
    for wrong in (done.id_token, done.refresh_token):
        resp = client.get("/userinfo", headers=bearer(wrong))
        assert resp.status_code == 401 and resp.get_json()["error"] == "invalid_token"
    # A token issued to egisz-demo means nothing to another client's introspection.
    other = ("other-35", "other-35-secret-0123456789")
    register(app, client_id=other[0], redirect_uris=[RP_REDIRECT], client_secret=other[1])
    assert client.post("/introspect", data={"token": done.access_token}, auth=other).get_json() == {"active": False}
    assert client.post("/introspect", data={"token": done.access_token}, auth=DEMO_CREDS).get_json()["active"]


@pytest.mark.checklist(37)
def test_userinfo_needs_the_openid_scope_and_refuses_a_token_in_the_url(
    app: Any, client: Any, personas: dict[str, Any]
) -> None:
    machine = _machine(app)
    token = client.post("/token", data={"grant_type": "client_credentials"}, auth=machine).get_json()["access_token"]
    resp = client.get("/userinfo", headers=bearer(token))
    assert resp.status_code == 403 and resp.get_json()["error"] == "insufficient_scope"
    assert 'error="insufficient_scope"' in resp.headers["WWW-Authenticate"]
    done = sign_in(client, personas["patient_moscow"])
    assert client.get("/userinfo", query_string={"access_token": done.access_token}).status_code == 401
    # A form-encoded POST body is the other way RFC 6750 (§2.2) and OIDC Core 5.3.1 allow.
    assert client.post("/userinfo", data={"access_token": done.access_token}).status_code == 200
    # Even alongside a valid header, a token in the URL is refused (it has already leaked).
    both = client.get("/userinfo", query_string={"access_token": done.access_token}, headers=bearer(done.access_token))
    assert both.status_code == 401
    assert _userinfo_status(client, done.access_token) == 200


# --- 38-39: logout ----------------------------------------------------------------------------


@pytest.mark.checklist(38)
def test_unregistered_post_logout_redirect_uri_gets_no_redirect(
    app: Any, client: Any, personas: dict[str, Any]
) -> None:
    done = sign_in(client, personas["patient_moscow"])
    near_misses = [
        "http://localhost:8001",  # no trailing slash
        "http://localhost:8001/?next=x",
        "http://localhost:8001/x",
        "http://LOCALHOST:8001/",
        "http://localhost:8002/",
        "https://localhost:8001/",
        "http://localhost:8001@evil.example/",
        "https://evil.example/",
        "//evil.example/",
    ]
    for uri in near_misses:
        for by in ({"id_token_hint": done.id_token}, {"client_id": "egisz-demo"}):
            resp = client.get("/logout", query_string={**by, "post_logout_redirect_uri": uri, "state": "s"})
            if "client_id" in by:  # without a hint the person confirms first
                assert _is_confirmation_page(resp), uri
                resp = client.post(
                    "/logout",
                    data={"csrf_token": csrf_token(resp.text), **by, "post_logout_redirect_uri": uri, "state": "s"},
                )
            assert resp.status_code == 200 and "Location" not in resp.headers, (uri, by, resp.headers.get("Location"))
    # Exactly the registered URI: redirected there, with the state.
    resp = client.get(
        "/logout", query_string={"id_token_hint": done.id_token, "post_logout_redirect_uri": POST_LOGOUT, "state": "s1"}
    )
    assert resp.status_code == 303 and resp.headers["Location"] == POST_LOGOUT + "?state=s1"


@pytest.mark.checklist(39)
def test_logout_without_id_token_hint_asks_for_confirmation(client: Any, personas: dict[str, Any]) -> None:
    sign_in(client, personas["patient_moscow"])
    page = client.get("/logout", query_string={"client_id": "egisz-demo", "post_logout_redirect_uri": POST_LOGOUT})
    assert _is_confirmation_page(page)
    assert _signed_in(client), "a GET without id_token_hint must not end the session"
    forged = client.post("/logout", data={"client_id": "egisz-demo", "post_logout_redirect_uri": POST_LOGOUT})
    assert forged.status_code == 403 and _signed_in(client), "a cross-site POST without the CSRF token"
    confirmed = client.post(
        "/logout",
        data={"csrf_token": csrf_token(page.text), "client_id": "egisz-demo", "post_logout_redirect_uri": POST_LOGOUT},
    )
    assert confirmed.status_code == 303 and confirmed.headers["Location"] == POST_LOGOUT
    assert not _signed_in(client)


@pytest.mark.checklist(39)
def test_logout_with_id_token_hint_from_retired_key_works(app_with_own_keys: Any, personas: dict[str, Any]) -> None:
    """Key rotation overlap (ory/hydra #3719): tokens signed by the retired key still verify via
    JWKS, still work, and their id_token_hint still logs out; once dropped, they do not."""
    from idp.oidc.keys import KeyRing

    app = app_with_own_keys
    client = app.test_client()
    keyring = app.extensions["gosid"].keyring
    keys_dir = app.config["GOSID_SETTINGS"].keys_dir
    done = sign_in(client, personas["patient_moscow"], scope=OFFLINE)
    old_kid = decode_part(done.id_token, 0)["kid"]

    new_kid, retired = KeyRing.rotate(keys_dir, "RS256", publish_ahead=0, overlap=3600)  # gosid keys rotate
    assert retired == old_kid
    keyring._checked_at = float("-inf")  # what the 10 s recheck does in a running server
    jwks_kids = {k["kid"] for k in client.get("/jwks.json").get_json()["keys"]}
    assert {old_kid, new_kid} <= jwks_kids
    keyset = published_keyset(client)
    assert jwt.decode(done.id_token, keyset, algorithms=["RS256"]).claims["sub"] == str(
        personas["patient_moscow"]["oid"]
    )
    assert jwt.decode(done.access_token, keyset, algorithms=["RS256"]).header["kid"] == old_kid
    assert _userinfo_status(client, done.access_token) == 200
    # New tokens are signed by the new key.
    fresh = refresh(client, DEMO_CREDS, done.refresh_token).get_json()
    assert decode_part(fresh["access_token"], 0)["kid"] == new_kid
    again = sign_in(client, personas["patient_moscow"])  # the session and consent still hold
    assert decode_part(again.id_token, 0)["kid"] == new_kid
    # The old ID token as id_token_hint: straight logout, back to the client with the state.
    resp = client.get(
        "/logout",
        query_string={"id_token_hint": done.id_token, "post_logout_redirect_uri": POST_LOGOUT, "state": "rot"},
    )
    assert resp.status_code == 303 and resp.headers["Location"] == POST_LOGOUT + "?state=rot"
    assert not _signed_in(client)
    # Once its drop time has passed (every token it signed has expired), the key leaves JWKS,
    # and tokens signed by it stop working. Time is moved by editing the keyring manifest.
    manifest_path = keys_dir / "signing" / "keyring.json"
    manifest = json.loads(manifest_path.read_text())
    for entry in manifest:
        if entry["kid"] == old_kid:
            entry["drop_at"] = time.time() - 1
    manifest_path.write_text(json.dumps(manifest))
    keyring._checked_at = float("-inf")
    jwks_kids = {k["kid"] for k in client.get("/jwks.json").get_json()["keys"]}
    assert old_kid not in jwks_kids and new_kid in jwks_kids
    assert _is_confirmation_page(client.get("/logout", query_string={"id_token_hint": done.id_token}))
    assert _userinfo_status(client, done.access_token) == 401


def test_backchannel_logout_sends_a_signed_logout_token_and_retries_after_500(
    app: Any, client: Any, personas: dict[str, Any]
) -> None:
    persona = personas["patient_moscow"]
    creds = ("bcl-client", "bcl-client-secret-0123456789")
    redirect = "http://127.0.0.1:5000/bcl/cb"
    with LogoutReceiver([500]) as receiver:
        register(
            app,
            client_id=creds[0],
            redirect_uris=[redirect],
            client_secret=creds[1],
            backchannel_logout_uri=receiver.uri,
        )
        done = sign_in(client, persona, client_id=creds[0], creds=creds, redirect_uri=redirect)
        id_claims = decode_part(done.id_token, 1)
        page = client.get("/logout")
        resp = client.post("/logout", data={"csrf_token": csrf_token(page.text)})
        assert resp.status_code == 200 and not _signed_in(client)
        received = receiver.wait_for(2)
    assert [r["answered"] for r in received] == [500, 200], received  # the first 500 was retried
    assert all(r["content_type"].startswith("application/x-www-form-urlencoded") for r in received)
    token = received[-1]["form"]["logout_token"]
    decoded = jwt.decode(token, published_keyset(client), algorithms=["RS256"])
    assert decoded.header["typ"] == "logout+jwt"
    claims = decoded.claims
    assert claims["iss"] == ISSUER and claims["aud"] in (creds[0], [creds[0]])
    assert claims["sub"] == str(persona["oid"]) == id_claims["sub"]
    assert claims["sid"] == id_claims["sid"]
    assert claims["events"] == {BACKCHANNEL_EVENT: {}}
    assert "nonce" not in claims and claims["jti"] and claims["iat"] <= time.time() < claims["exp"]
    deadline = time.monotonic() + 5
    while not audit_events(app, "backchannel_logout_delivered") and time.monotonic() < deadline:
        time.sleep(0.05)
    attempts = audit_events(app, "backchannel_logout_attempt")  # each attempt, then the outcome
    assert [(e.client_id, e.result, e.detail["attempt"]) for e in attempts] == [
        (creds[0], "failed", 1),
        (creds[0], "ok", 2),
    ]
    assert [(e.client_id, e.result) for e in audit_events(app, "backchannel_logout_delivered")] == [(creds[0], "ok")]


# --- 40-44: sessions --------------------------------------------------------------------------


@pytest.mark.checklist(40)
def test_session_id_is_renewed_after_every_authentication_step(app: Any, client: Any, personas: dict[str, Any]) -> None:
    persona = personas["patient_moscow"]
    # The attacker obtains a pre-login cookie and plants it in the victim's browser.
    attacker = app.test_client()
    attacker.get("/authorize?" + AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT).query())
    planted = session_cookie(app, attacker)
    assert planted is not None
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], planted)
    pre_login = session_data(app, client)
    # Password step: the login transaction handle changes.
    password_step(client, persona["phone"], persona["password"])
    after_password = session_data(app, client)
    assert after_password["login_tx"] != pre_login["login_tx"]
    # SMS step: a brand-new session id; nothing the attacker held survives.
    sms_step(client, outbox_code(client, persona["phone"]))
    signed = session_data(app, client)
    assert signed.get("sid") and "login_tx" not in signed
    assert session_cookie(app, client) != planted
    assert attacker.get("/profile").status_code == 302, "the planted cookie must stay anonymous"
    # Signing in again (prompt=login) gives another id and ends the previous one.
    first_sid, first_cookie = signed["sid"], session_cookie(app, client)
    again = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT, extra={"prompt": "login"})
    assert client.get("/authorize?" + again.query()).headers["Location"].endswith("/login")
    password_step(client, persona["phone"], persona["password"])
    sms_step(client, outbox_code(client, persona["phone"]))
    assert session_data(app, client)["sid"] != first_sid
    old = app.test_client()
    old.set_cookie(app.config["SESSION_COOKIE_NAME"], first_cookie)
    assert old.get("/profile").status_code == 302


def _session_cookie_header(resp: Any, name: str) -> str:
    found = [h for h in set_cookie_headers(resp) if h.startswith(name + "=")]
    assert len(found) == 1, set_cookie_headers(resp)
    return found[0]


def _attributes(header: str) -> dict[str, str]:
    parts = [p.strip() for p in header.split(";")[1:]]
    return {p.split("=", 1)[0].lower(): (p.split("=", 1)[1] if "=" in p else "") for p in parts}


@pytest.mark.checklist(41)
def test_cookies_are_httponly_samesite_and_small(app: Any, client: Any, personas: dict[str, Any]) -> None:
    name = app.config["SESSION_COOKIE_NAME"]
    page = client.get("/login")
    assert "Strict-Transport-Security" not in page.headers  # over plain http (development) it means nothing
    attrs = _attributes(_session_cookie_header(page, name))
    assert "httponly" in attrs and attrs["samesite"].lower() in {"lax", "strict"} and attrs["path"] == "/"
    assert "domain" not in attrs
    # Signed in with every flow value the cookie may carry, it stays far below 4096 bytes.
    sign_in(client, personas["patient_standard_spb"])
    assert len(name) + len(session_cookie(app, client) or "") < 4096
    assert len(session_cookie(app, client) or "") < 1024


@pytest.mark.checklist(41)
def test_production_cookie_is_host_prefixed_secure_and_httponly(production_app: Any) -> None:
    app = production_app
    name = app.config["SESSION_COOKIE_NAME"]
    assert name.startswith("__Host-")
    resp = app.test_client().get("/login", base_url="https://id.gosid.example")
    attrs = _attributes(_session_cookie_header(resp, name))
    # __Host- (RFC 6265bis §4.1.3.2): Secure, Path=/, and no Domain.
    assert "secure" in attrs and attrs["path"] == "/" and "domain" not in attrs
    assert "httponly" in attrs and attrs["samesite"].lower() in {"lax", "strict"}


@pytest.mark.checklist(41)
def test_hsts_for_at_least_a_year_in_production(production_app: Any) -> None:
    prod = production_app.test_client()
    for resp in (
        prod.get("/login", base_url="https://id.gosid.example"),
        prod.get("/.well-known/openid-configuration", base_url="https://id.gosid.example"),
        prod.post("/token", data={"grant_type": "client_credentials"}, base_url="https://id.gosid.example"),
    ):
        hsts = resp.headers.get("Strict-Transport-Security", "")
        max_age = int(next(p.split("=")[1] for p in hsts.split(";") if p.strip().startswith("max-age")))
        assert max_age >= 365 * 24 * 3600, hsts


@pytest.mark.checklist(42)
def test_session_ids_are_256_bit_random_and_never_in_urls(app: Any, personas: dict[str, Any]) -> None:
    import base64

    seen: list[str] = []
    for key in ("patient_moscow", "patient_moscow", "doctor_moscow"):
        browser = app.test_client()
        urls: list[str] = []
        req = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT)
        resp = browser.get("/authorize?" + req.query())
        urls.append(resp.headers.get("Location", ""))
        resp = password_step(browser, personas[key]["phone"], personas[key]["password"])
        urls.append(resp.headers.get("Location", ""))
        resp = sms_step(browser, outbox_code(browser, personas[key]["phone"]))
        urls.append(resp.headers.get("Location", ""))
        page = browser.get(resp.headers["Location"])
        if page.status_code == 200:
            page = browser.post(
                "/authorize?" + req.query(), data={"csrf_token": csrf_token(page.text), "decision": "allow"}
            )
        urls.append(page.headers["Location"])
        code = query_of(page.headers["Location"])["code"]
        tokens = browser.post(
            "/token",
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": RP_REDIRECT,
                  "code_verifier": req.verifier},
            auth=DEMO_CREDS,
        ).get_json()  # fmt: skip
        sid = session_data(app, browser)["sid"]
        cookie = session_cookie(app, browser) or ""
        raw = base64.urlsafe_b64decode(sid + "=" * (-len(sid) % 4))
        assert len(raw) * 8 >= 128, f"session id has only {len(raw) * 8} bits"
        for url in urls:
            assert sid not in url and cookie not in url, url
        assert decode_part(tokens["id_token"], 1)["sid"] != sid  # the ID token's sid is not the cookie's
        assert sid not in tokens["id_token"] and sid not in tokens["access_token"]
        seen.append(sid)
    assert len(set(seen)) == len(seen)


@pytest.mark.checklist(43)
def test_old_cookie_after_logout_is_unauthenticated(app: Any, client: Any, personas: dict[str, Any]) -> None:
    sign_in(client, personas["patient_moscow"])
    stolen = session_cookie(app, client)
    assert stolen and _signed_in(client)
    page = client.get("/logout")
    assert client.post("/logout", data={"csrf_token": csrf_token(page.text)}).status_code == 200
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen)
    assert replay.get("/profile").status_code == 302
    silent = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT, extra={"prompt": "none"})
    resp = replay.get("/authorize?" + silent.query())
    assert query_of(resp.headers["Location"])["error"] == "login_required"


@pytest.mark.checklist(43)
def test_refresh_tokens_of_the_session_die_at_logout(app: Any, client: Any, personas: dict[str, Any]) -> None:
    persona = personas["patient_moscow"]
    other = ("other-43", "other-43-secret-0123456789")
    register(app, client_id=other[0], redirect_uris=[RP_REDIRECT], client_secret=other[1])
    first = sign_in(client, persona, scope=OFFLINE)
    second = sign_in(client, persona, client_id=other[0], creds=other, scope=OFFLINE)
    elsewhere = sign_in(app.test_client(), persona, scope=OFFLINE)  # the same person in another browser
    page = client.get("/logout")
    client.post("/logout", data={"csrf_token": csrf_token(page.text)})
    for done in (first, second):
        resp = refresh(client, done.creds, done.refresh_token)
        assert resp.status_code == 400 and resp.get_json()["error"] == "invalid_grant"
        assert client.post("/introspect", data={"token": done.refresh_token}, auth=done.creds).get_json() == {
            "active": False
        }
    assert refresh(client, DEMO_CREDS, elsewhere.refresh_token).status_code == 200, "only this session ends"


@pytest.mark.checklist(27, 43)
def test_gosid_user_disable_ends_sessions_and_refresh_tokens(
    app: Any, client: Any, settings: Any, personas: dict[str, Any], tmp_path: Any
) -> None:
    from idp.cli import main

    persona = personas["patient_moscow"]
    done = sign_in(client, persona, scope=OFFLINE)
    env = {
        "GOSID_DATABASE_URL": settings.database_url,
        "GOSID_STORE_URL": "memory://",
        "GOSID_KEYS_DIR": str(settings.keys_dir),
        "GOSID_VAR_DIR": str(tmp_path / "cli-var"),
        "GOSID_MODE": "development",
        "GOSID_WORKERS": "1",
    }
    result = CliRunner().invoke(main, ["user", "disable", "--oid", str(persona["oid"])], env=env)
    assert result.exit_code == 0, result.output
    assert refresh(client, DEMO_CREDS, done.refresh_token).get_json()["error"] == "invalid_grant"
    assert not _signed_in(client)
    assert _userinfo_status(client, done.access_token) == 401
    again = app.test_client()
    refused = password_step(again, persona["phone"], persona["password"])
    assert refused.status_code != 303 and "sid" not in session_data(app, again), "a disabled account signs in"


@pytest.mark.checklist(44)
def test_session_ends_12_hours_after_login(app: Any, client: Any, personas: dict[str, Any]) -> None:
    """The absolute limit (A4 3.3.2 L2: 12 h); the 30-minute idle limit is tested in
    tests/integration/test_protocol_features.py::test_idle_session_needs_a_new_login."""
    from sqlalchemy import update

    from idp.sessions.models import BrowserSession
    from idp.storage.db import db, utcnow

    sign_in(client, personas["patient_moscow"])
    assert app.config["GOSID_SETTINGS"].session_ttl <= 12 * 3600
    with app.app_context():
        db.session.execute(
            update(BrowserSession).values(
                created_at=utcnow() - timedelta(seconds=app.config["GOSID_SETTINGS"].session_ttl - 60)
            )
        )
        db.session.commit()
    assert _signed_in(client), "a minute before the limit the session still holds"
    with app.app_context():
        db.session.execute(update(BrowserSession).values(created_at=utcnow() - timedelta(hours=12, seconds=1)))
        db.session.commit()
    assert not _signed_in(client)
    silent = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT, extra={"prompt": "none"})
    assert query_of(client.get("/authorize?" + silent.query()).headers["Location"])["error"] == "login_required"


# --- 45: account changes ---------------------------------------------------------------------


@pytest.mark.checklist(45)
def test_changing_second_factors_needs_a_recent_full_login(app: Any, client: Any, personas: dict[str, Any]) -> None:
    """The MFA half of item 45 (A5 7.5.1). The password-change half is tested in
    tests/integration/account_security/test_passwords_and_reset.py."""
    from sqlalchemy import update

    from idp.sessions.models import BrowserSession
    from idp.storage.db import db

    persona = personas["patient_moscow"]
    sign_in(client, persona)
    max_age = app.config["GOSID_SETTINGS"].reauth_max_age
    with app.app_context():
        db.session.execute(update(BrowserSession).values(auth_time=int(time.time()) - max_age - 60))
        db.session.commit()
    overview = client.get("/profile/security")
    assert overview.status_code == 200  # looking is fine
    old_sid = session_data(app, client)["sid"]
    for resp in (
        client.get("/profile/security/totp"),
        client.get("/profile/security/passkey"),
        client.post("/profile/security/app", data={"csrf_token": csrf_token(overview.text)}),
    ):
        assert resp.status_code in (302, 303), (resp.status_code, resp.text[:200])
        assert resp.headers["Location"].split("?")[0] in ("/login", "http://localhost/login"), resp.headers["Location"]
    # Password and a second factor again, then the page opens, in a new session.
    client.get("/profile/security/totp")
    assert password_step(client, persona["phone"], persona["password"]).status_code == 303
    back = sms_step(client, outbox_code(client, persona["phone"]))
    assert back.status_code == 303 and back.headers["Location"].endswith("/profile/security/totp")
    assert client.get("/profile/security/totp").status_code == 200
    assert session_data(app, client)["sid"] != old_sid
