"""Security checklist section 1, items 1-17: attacks on the authorization endpoint and the pages
around it, each refused the way the checklist says, seen from the attacker's side."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from joserfc import jwt
from sqlalchemy import update

from tests.support.attacker import (
    code_exchange,
    code_for,
    demo_request,
    error_page,
    error_redirect,
    json_error,
    next_code,
)
from tests.support.clients import ISSUER, PUBLIC_REDIRECT, Registered
from tests.support.flows import RP_REDIRECT, authorize_code, outbox_code, password_step, sign_in_for, sms_step
from tests.support.oidc_client import AuthRequest, csrf_token, query_of
from tests.support.store import expire_now


def _keyset(app: Any) -> Any:
    return app.extensions["gosid"].keyring.verification_keyset()


def _id_token(app: Any, client: Any, creds: tuple[str, str], req: AuthRequest, code: str) -> dict[str, Any]:
    resp = client.post("/token", data=code_exchange(req, code), auth=creds)
    assert resp.status_code == 200, resp.text
    return dict(jwt.decode(resp.get_json()["id_token"], _keyset(app)).claims)


# --- 1. redirect_uri byte-exact, unknown client: error on the AS, no redirect ----------------

NOT_REGISTERED = [
    RP_REDIRECT + "/",  # trailing slash
    "http://localhost:8001/Auth/Callback",  # path case
    "HTTP://LOCALHOST:8001/auth/callback",  # scheme and host case
    "http://localhost:8001/auth/callbackx",  # longer path
    "http://localhost:8001/auth/callback/../callback",  # dot segments
    "http://localhost:8001/auth/%63allback",  # percent-encoded path
    RP_REDIRECT + "?next=https://evil.example",  # extra query
    RP_REDIRECT + "#frag",  # fragment
    "http://evil.example@localhost:8001/auth/callback",  # userinfo
    "http://localhost:8001@evil.example/auth/callback",  # userinfo, other host
    "http://localhost:8002/auth/callback",  # other port
    "http://localhost/auth/callback",  # default port
    "https://localhost:8001/auth/callback",  # other scheme
    "https://evil.example/auth/callback",  # other host
    "",  # empty
]


@pytest.mark.checklist(1)
def test_redirect_uri_not_byte_identical_is_refused_without_redirect(client: Any, personas: dict) -> None:
    for uri in NOT_REGISTERED:
        req = AuthRequest(client_id="egisz-demo", redirect_uri=uri)
        for mode in ("query", "form_post"):
            resp = client.get("/authorize?" + req.query() + f"&response_mode={mode}")
            body = error_page(resp)
            assert resp.status_code == 400, uri
            assert "<form" not in body or "evil.example" not in body, f"{uri}: auto-submitted form"
    params = demo_request().params()
    del params["redirect_uri"]  # no default is guessed either
    error_page(client.get("/authorize", query_string=params))
    # Control: the refusals above are about the URI, not a broken endpoint.
    assert authorize_code(client, demo_request(), personas["patient_moscow"])["code"]


@pytest.mark.checklist(1)
def test_unknown_or_missing_client_id_is_refused_without_redirect(client: Any) -> None:
    for client_id in ("nobody", "EGISZ-DEMO", "egisz-demo ", ""):
        body = error_page(
            client.get("/authorize?" + AuthRequest(client_id=client_id, redirect_uri=RP_REDIRECT).query())
        )
        assert "invalid_client" in body or "invalid_request" in body, client_id
    params = demo_request().params()
    del params["client_id"]
    error_page(client.get("/authorize", query_string=params))


# --- 2. non-loopback http:// redirect URIs are never registered ------------------------------

INSECURE_REDIRECTS = [
    "http://rp.example.ru/callback",
    "http://10.0.0.5/callback",
    "http://localhost.evil.example/callback",
    "javascript:alert(1)",
    "data:text/html,hi",
    "https://rp.example.ru/callback#fragment",
    "/relative/callback",
]


@pytest.mark.checklist(2)
def test_non_loopback_http_redirect_uri_is_rejected(app: Any, settings: Any) -> None:
    from idp.oidc.clients import ClientRegistrationError, register_client

    with app.app_context():  # the CLI's and set-up's path
        for n, uri in enumerate(INSECURE_REDIRECTS):
            with pytest.raises(ClientRegistrationError) as refused:
                register_client(client_id=f"insecure-{n}", name="x", redirect_uris=[uri], scopes=["profile"])
            assert refused.value.error == "invalid_redirect_uri", uri
        for n, uri in enumerate(["http://localhost:5000/cb", "http://127.0.0.1:5000/cb", "https://rp.example.ru/cb"]):
            register_client(client_id=f"fine-{n}", name="x", redirect_uris=[uri], scopes=["profile"])
    # RFC 7591 dynamic registration
    object.__setattr__(settings, "registration_token", "initial-access-token-for-tests")
    web = app.test_client()
    auth = {"Authorization": "Bearer initial-access-token-for-tests"}
    for uri in INSECURE_REDIRECTS:
        resp = web.post("/connect/register", json={"redirect_uris": [uri], "client_name": "x"}, headers=auth)
        assert json_error(resp) == "invalid_redirect_uri", uri
    ok = web.post("/connect/register", json={"redirect_uris": ["https://rp.example.ru/cb"]}, headers=auth)
    assert ok.status_code == 201, ok.text


# --- 3. no implicit, hybrid or password grant -------------------------------------------------


@pytest.mark.checklist(3)
def test_implicit_hybrid_and_password_grants_are_unsupported(
    client: Any, rp_credentials: tuple[str, str], personas: dict
) -> None:
    patient = personas["patient_moscow"]
    authorize_code(client, demo_request(), patient)  # signed in, consent given
    for response_type in ("token", "id_token", "id_token token", "code id_token", "code token", "code id_token token"):
        params = demo_request().params()
        params["response_type"] = response_type
        resp = client.get("/authorize", query_string=params)
        q = error_redirect(resp, RP_REDIRECT)
        assert q["error"] == "unsupported_response_type", response_type
        assert "access_token" not in resp.headers["Location"] and "id_token=" not in resp.headers["Location"]
    for grant_type in ("password", "implicit", "urn:ietf:params:oauth:grant-type:device_code"):
        resp = client.post(
            "/token",
            data={"grant_type": grant_type, "username": patient["phone"], "password": patient["password"]},
            auth=rp_credentials,
        )
        assert json_error(resp) == "unsupported_grant_type", grant_type
        assert "access_token" not in resp.get_json()
    meta = client.get("/.well-known/openid-configuration").get_json()
    assert meta["response_types_supported"] == ["code"]
    assert not {"password", "implicit"} & set(meta["grant_types_supported"])


# --- 4-7. PKCE: mandatory, S256 only, verified, no downgrade --------------------------------


@pytest.mark.checklist(4)
def test_missing_code_challenge_is_invalid_request(client: Any, public_client: Registered) -> None:
    for req in (demo_request(), AuthRequest(client_id=public_client.client_id, redirect_uri=PUBLIC_REDIRECT)):
        for challenge in (None, ""):
            params = req.params()
            if challenge is None:
                del params["code_challenge"], params["code_challenge_method"]
            else:
                params["code_challenge"] = challenge
            q = error_redirect(client.get("/authorize", query_string=params), req.redirect_uri)
            assert q["error"] == "invalid_request", (req.client_id, challenge)
            assert q["state"] == req.state and q["iss"] == ISSUER


@pytest.mark.checklist(5)
def test_plain_or_unspecified_code_challenge_method_is_refused(client: Any, public_client: Registered) -> None:
    for req in (demo_request(), AuthRequest(client_id=public_client.client_id, redirect_uri=PUBLIC_REDIRECT)):
        for method in ("plain", None, "s256", "S512"):
            params = req.params()
            if method is None:  # RFC 7636 §4.3: an absent method means plain
                del params["code_challenge_method"]
            else:
                params["code_challenge_method"] = method
            q = error_redirect(client.get("/authorize", query_string=params), req.redirect_uri)
            assert q["error"] == "invalid_request", (req.client_id, method)
    meta = client.get("/.well-known/openid-configuration").get_json()
    assert meta["code_challenge_methods_supported"] == ["S256"]


@pytest.mark.checklist(6)
def test_wrong_or_missing_code_verifier_is_refused(
    client: Any, rp_credentials: tuple[str, str], personas: dict, public_client: Registered
) -> None:
    req = demo_request()
    code = code_for(client, req, personas["patient_moscow"])
    resp = client.post("/token", data=code_exchange(req, code, code_verifier="A" * 60), auth=rp_credentials)
    assert json_error(resp) == "invalid_grant"
    assert "access_token" not in resp.get_json()

    pub = AuthRequest(client_id=public_client.client_id, redirect_uri=PUBLIC_REDIRECT)
    code = next_code(client, pub)
    resp = client.post(
        "/token", data=code_exchange(pub, code, client_id=pub.client_id, code_verifier=demo_request().verifier)
    )
    assert json_error(resp) == "invalid_grant"
    data = code_exchange(pub, next_code(client, pub), client_id=pub.client_id)
    del data["code_verifier"]  # a public client without a verifier
    resp = client.post("/token", data=data)
    assert json_error(resp) in ("invalid_request", "invalid_grant")
    assert "access_token" not in resp.get_json()


@pytest.mark.checklist(7)
def test_pkce_downgrade_no_challenge_then_verifier_is_refused(
    app: Any, client: Any, rp_credentials: tuple[str, str], personas: dict
) -> None:
    from idp.oidc.codes import AuthorizationCode

    patient = personas["patient_moscow"]
    # Front channel: a request without a challenge never yields a code, even for a signed-in person.
    authorize_code(client, demo_request(), patient)
    params = demo_request().params()
    del params["code_challenge"], params["code_challenge_method"]
    assert error_redirect(client.get("/authorize", query_string=params), RP_REDIRECT)["error"] == "invalid_request"

    # Token endpoint: even a code minted without a challenge is not redeemable with a verifier.
    req = demo_request()
    svc = app.extensions["gosid"]
    svc.codes.save(
        "planted-code-without-challenge-0123456789",
        AuthorizationCode(
            client_id="egisz-demo",
            redirect_uri=RP_REDIRECT,
            scope="openid profile",
            person_oid=patient["oid"],
            auth_time=int(time.time()),
            amr=["pwd", "sms", "mfa"],
            acr="urn:gosid:acr:2fa",
            nonce=req.nonce,
            code_challenge=None,
            code_challenge_method=None,
        ),
    )
    resp = client.post(
        "/token", data=code_exchange(req, "planted-code-without-challenge-0123456789"), auth=rp_credentials
    )
    assert json_error(resp) in ("invalid_request", "invalid_grant")
    assert "access_token" not in resp.get_json()


# --- 8. repeated parameters --------------------------------------------------------------------

REPEATABLE_AT_AUTHORIZE = {
    "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    "code_challenge_method": "S256",
    "redirect_uri": "https://evil.example/callback",
    "response_type": "code",
    "client_id": "egisz-demo",
    "scope": "openid medcard.cu",
    "state": "attacker-state",
    "nonce": "attacker-nonce",
    "prompt": "none",
    "max_age": "100000",
    "response_mode": "form_post",
}


@pytest.mark.checklist(8)
def test_repeated_authorization_parameter_is_invalid_request(client: Any) -> None:
    """RFC 6749 §3.1 / §4.1.2.1: a parameter sent twice is invalid_request, never silently resolved."""
    accepted = []
    for name, value in REPEATABLE_AT_AUTHORIZE.items():
        req = demo_request(prompt="consent", max_age="3600", response_mode="query")
        resp = client.get("/authorize?" + req.query() + "&" + urlencode({name: value}))
        location = resp.headers.get("Location", "")
        if resp.status_code in (302, 303) and location.startswith(RP_REDIRECT + "?"):
            refused = query_of(location).get("error") == "invalid_request"
        else:
            refused = resp.status_code == 400 and "invalid_request" in resp.text and not location
        if not refused:
            accepted.append(f"{name}: {resp.status_code} {location or resp.text[:80]!r}")
    assert not accepted, "repeated parameters accepted: " + "; ".join(accepted)


@pytest.mark.checklist(8)
def test_repeated_token_parameter_is_invalid_request(
    client: Any, rp_credentials: tuple[str, str], personas: dict
) -> None:
    req = demo_request()
    code_for(client, req, personas["patient_moscow"])
    repeats = {
        "code": "another-code",
        "code_verifier": AuthRequest(client_id="x", redirect_uri="x").verifier,
        "redirect_uri": "https://evil.example/callback",
        "grant_type": "refresh_token",
        "client_id": "other-app",
    }
    accepted = []
    for name, other in repeats.items():
        data = code_exchange(req, next_code(client, req), client_id="egisz-demo")
        body = urlencode([*data.items(), (name, other)])
        resp = client.post("/token", data=body, content_type="application/x-www-form-urlencoded", auth=rp_credentials)
        if resp.status_code != 400 or (resp.get_json() or {}).get("error") != "invalid_request":
            accepted.append(f"{name}: {resp.status_code} {(resp.get_json() or {}).get('error', 'tokens issued')}")
    assert not accepted, "repeated parameters accepted: " + "; ".join(accepted)


# --- 9. prompt=none never shows UI -----------------------------------------------------------


@pytest.mark.checklist(9)
def test_prompt_none_without_session_or_with_too_old_login_is_login_required_without_ui(
    client: Any, personas: dict
) -> None:
    req = demo_request(prompt="none")
    q = error_redirect(client.get("/authorize?" + req.query()), RP_REDIRECT)
    assert q["error"] == "login_required" and q["state"] == req.state and q["iss"] == ISSUER
    for prompt in ("none login", "none consent", "login none", "none select_account"):
        q = error_redirect(client.get("/authorize?" + demo_request(prompt=prompt).query()), RP_REDIRECT)
        assert q["error"] == "invalid_request", prompt
    authorize_code(client, demo_request(), personas["patient_moscow"])
    q = error_redirect(client.get("/authorize?" + demo_request(prompt="none", max_age="0").query()), RP_REDIRECT)
    assert q["error"] in ("login_required", "interaction_required")


@pytest.mark.checklist(9)
def test_prompt_none_without_consent_is_consent_required(
    client: Any, personas: dict, public_client: Registered
) -> None:
    pub = AuthRequest(client_id=public_client.client_id, redirect_uri=PUBLIC_REDIRECT)
    authorize_code(client, pub, personas["patient_moscow"])  # signed in; consent only for public-app
    q = error_redirect(client.get("/authorize?" + demo_request(prompt="none").query()), RP_REDIRECT)
    assert q["error"] in ("consent_required", "interaction_required"), q


@pytest.mark.checklist(9)
def test_prompt_none_with_session_and_consent_returns_a_code_without_ui(client: Any, personas: dict) -> None:
    """Control for the refusals: prompt=none is answered silently when nothing needs the person."""
    authorize_code(client, demo_request(), personas["patient_moscow"])
    req = demo_request(prompt="none")
    resp = client.get("/authorize?" + req.query())
    assert resp.status_code == 302, resp.text[:200]
    q = query_of(resp.headers["Location"])
    assert resp.headers["Location"].startswith(RP_REDIRECT + "?") and "code" in q, q
    assert q["state"] == req.state


# --- 10. max_age=0 / prompt=login force a fresh login ------------------------------------------


def _age_session(app: Any, seconds: int) -> int:
    """Pretend the signed-in session was authenticated ``seconds`` ago; returns that auth_time."""
    from idp.sessions.models import BrowserSession
    from idp.storage.db import db

    old = int(time.time()) - seconds
    with app.app_context():
        db.session.execute(update(BrowserSession).where(BrowserSession.ended_at.is_(None)).values(auth_time=old))
        db.session.commit()
    return old


@pytest.mark.checklist(10)
def test_max_age_and_prompt_login_force_fresh_login_with_new_auth_time(
    app: Any, client: Any, rp_credentials: tuple[str, str], personas: dict
) -> None:
    patient = personas["patient_moscow"]
    authorize_code(client, demo_request(), patient)
    for extra in ({"max_age": "0"}, {"prompt": "login"}):
        old_auth_time = _age_session(app, 600)
        # Control: without max_age/prompt the (aged) session is reused silently.
        silent = demo_request()
        assert _id_token(app, client, rp_credentials, silent, next_code(client, silent))["auth_time"] == old_auth_time

        req = demo_request(**extra)
        resp = client.get("/authorize?" + req.query())
        assert resp.status_code == 302 and resp.headers["Location"].endswith("/login"), f"{extra}: no login asked"
        assert password_step(client, patient["phone"], patient["password"]).status_code == 303
        resp = sms_step(client, outbox_code(client, patient["phone"]))
        resp = client.get(resp.headers["Location"])
        code = query_of(resp.headers["Location"])["code"]
        claims = _id_token(app, client, rp_credentials, req, code)
        assert claims["auth_time"] > old_auth_time and claims["auth_time"] >= int(time.time()) - 60, extra


# --- 11. mix-up defence: iss in every authorization response --------------------------------


@pytest.mark.checklist(11)
def test_authorization_responses_carry_iss_equal_to_discovery_issuer(client: Any, personas: dict) -> None:
    issuer = client.get("/.well-known/openid-configuration").get_json()["issuer"]
    assert issuer == ISSUER
    meta = client.get("/.well-known/openid-configuration").get_json()
    assert meta["authorization_response_iss_parameter_supported"] is True
    error = error_redirect(client.get("/authorize?" + demo_request(prompt="none").query()), RP_REDIRECT)
    assert error["iss"] == issuer
    success = authorize_code(client, demo_request(), personas["patient_moscow"])
    assert success["iss"] == issuer
    deny = demo_request(prompt="consent")
    page = client.get("/authorize?" + deny.query())
    resp = client.post("/authorize?" + deny.query(), data={"csrf_token": csrf_token(page.text), "decision": "deny"})
    assert error_redirect(resp, RP_REDIRECT)["iss"] == issuer
    form = client.get("/authorize?" + demo_request(response_mode="form_post").query())
    assert form.status_code == 200 and f'name="iss" value="{issuer}"' in form.text


# --- 12. long nonce and state survive intact ---------------------------------------------------


@pytest.mark.checklist(12)
def test_long_nonce_echoed_in_id_token_and_long_state_echoed_intact(
    app: Any, client: Any, rp_credentials: tuple[str, str], personas: dict
) -> None:
    nonce = "n-" + "0123456789abcdef" * 8  # 130 characters
    state = "s:" + "Привет &=+/?%#" * 80  # > 1000 characters, with characters that need escaping
    assert len(state) > 1000
    req = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT, nonce=nonce, state=state)
    params = authorize_code(client, req, personas["patient_moscow"])
    assert params["state"] == state
    assert _id_token(app, client, rp_credentials, req, params["code"])["nonce"] == nonce


# --- 13. 303 after a POST of credentials -------------------------------------------------------


@pytest.mark.checklist(13)
def test_redirects_after_credential_and_consent_posts_are_303(client: Any, personas: dict) -> None:
    patient = personas["patient_moscow"]
    req = demo_request()
    client.get("/authorize?" + req.query())
    assert password_step(client, patient["phone"], patient["password"]).status_code == 303
    resp = sms_step(client, outbox_code(client, patient["phone"]))
    assert resp.status_code == 303
    page = client.get(resp.headers["Location"])
    allow = client.post("/authorize?" + req.query(), data={"csrf_token": csrf_token(page.text), "decision": "allow"})
    assert allow.status_code == 303 and "code=" in allow.headers["Location"]
    deny_req = demo_request(prompt="consent")
    page = client.get("/authorize?" + deny_req.query())
    deny = client.post("/authorize?" + deny_req.query(), data={"csrf_token": csrf_token(page.text), "decision": "deny"})
    assert deny.status_code == 303 and "error=access_denied" in deny.headers["Location"]


# --- 14. no framing, no CORS on /authorize -----------------------------------------------------


def _pages_of_the_login_flow(client: Any, personas: dict) -> dict[str, Any]:
    patient = personas["patient_moscow"]
    req = demo_request()
    pages = {"error": client.get("/authorize?" + AuthRequest(client_id="nobody", redirect_uri=RP_REDIRECT).query())}
    pages["authorize-redirect"] = client.get("/authorize?" + req.query())
    pages["login"] = client.get("/login")
    password_step(client, patient["phone"], patient["password"])
    pages["sms"] = client.get("/login/sms")
    sms_step(client, outbox_code(client, patient["phone"]))
    form_post = demo_request(response_mode="form_post")
    pages["consent"] = client.get("/authorize?" + form_post.query())
    pages["form_post"] = client.post(
        "/authorize?" + form_post.query(), data={"csrf_token": csrf_token(pages["consent"].text), "decision": "allow"}
    )
    pages["logout-confirm"] = client.get("/logout")
    pages["register"] = client.get("/register")
    assert pages["consent"].status_code == 200 and "decision" in pages["consent"].text
    assert pages["form_post"].status_code == 200 and 'name="code"' in pages["form_post"].text
    return pages


@pytest.mark.checklist(14)
def test_pages_cannot_be_framed_and_authorize_sends_no_cors(client: Any, personas: dict) -> None:
    for name, resp in _pages_of_the_login_flow(client, personas).items():
        csp = resp.headers.get("Content-Security-Policy", "")
        assert re.search(r"frame-ancestors 'none'", csp), f"{name}: {csp!r}"
        assert resp.headers.get("X-Frame-Options") == "DENY", name
    origin = {"Origin": "https://evil.example"}
    for resp in (
        client.get("/authorize?" + demo_request().query(), headers=origin),
        client.get("/authorize?" + demo_request(prompt="none").query(), headers=origin),
        client.get("/authorize?" + demo_request(prompt="consent").query(), headers=origin),
        client.options("/authorize", headers={**origin, "Access-Control-Request-Method": "GET"}),
    ):
        assert not [h for h, _ in resp.headers.items() if h.lower().startswith("access-control-")], dict(resp.headers)


# --- 15. no Referer leakage from the authorization pages -------------------------------------

URL_ATTR = re.compile(r"""\b(?:src|href|action|srcset|poster|data)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


@pytest.mark.checklist(15)
def test_authorization_pages_send_no_referrer_and_load_no_third_party_resources(client: Any, personas: dict) -> None:
    for name, resp in _pages_of_the_login_flow(client, personas).items():
        assert resp.headers.get("Referrer-Policy") == "no-referrer", name
        for url in URL_ATTR.findall(resp.text):
            if name == "form_post" and url == RP_REDIRECT:
                continue  # the form's action is the client's registered redirect URI, by design
            assert not re.match(r"^([a-z][a-z0-9+.-]*:|//)", url, re.IGNORECASE), f"{name} refers to {url}"
        assert "@import" not in resp.text and not re.search(r"url\(\s*['\"]?(https?:)?//", resp.text), name


# --- 16. PAR -------------------------------------------------------------------------------------


def _par_request(reg: Registered, **extra: str) -> AuthRequest:
    return AuthRequest(client_id=reg.client_id, redirect_uri=reg.redirect_uri, extra=dict(extra))


def _push(client: Any, reg: Registered, req: AuthRequest) -> dict[str, Any]:
    resp = client.post("/par", data=req.params(), auth=reg.creds)
    assert resp.status_code == 201, resp.text
    return dict(resp.get_json())


def _by_reference(reg: Registered, request_uri: str, **extra: str) -> str:
    return "/authorize?" + urlencode({"client_id": reg.client_id, "request_uri": request_uri, **extra})


@pytest.mark.checklist(16)
def test_par_required_client_cannot_use_plain_authorize_nor_push_unauthenticated(
    client: Any, personas: dict, par_client: Registered
) -> None:
    req = _par_request(par_client)
    resp = client.post("/par", data=req.params())
    assert json_error(resp, (400, 401)) == "invalid_client"
    bad = client.post("/par", data=req.params(), auth=(par_client.client_id, "wrong-secret"))
    assert json_error(bad, 401) == "invalid_client"
    authorize_code(client, demo_request(), personas["patient_moscow"])  # a signed-in person
    q = error_redirect(client.get("/authorize?" + req.query()), par_client.redirect_uri)
    assert q["error"] == "invalid_request"


@pytest.mark.checklist(16)
def test_request_uri_is_one_time_and_short_lived_and_pushed_values_win(
    client: Any, personas: dict, par_client: Registered
) -> None:
    req = _par_request(par_client, scope="openid profile")
    pushed = _push(client, par_client, req)
    assert 0 < pushed["expires_in"] < 600
    assert pushed["request_uri"].startswith("urn:ietf:params:oauth:request_uri:")
    # Query parameters besides client_id/request_uri must not override the pushed ones.
    hostile = _by_reference(
        par_client,
        pushed["request_uri"],
        redirect_uri="https://evil.example/callback",
        scope="openid medcard.cu",
        state="attacker-state",
        response_mode="form_post",
        prompt="none",
    )
    # A link preloader fetching the URL must not use the request_uri up (F2 note 3).
    assert client.get(hostile).headers["Location"].endswith("/login")
    assert client.get(hostile).headers["Location"].endswith("/login")
    patient = personas["patient_moscow"]
    assert password_step(client, patient["phone"], patient["password"]).status_code == 303
    resp = sms_step(client, outbox_code(client, patient["phone"]))
    page = client.get(resp.headers["Location"])
    assert page.status_code == 200 and "medcard.cu" not in page.text  # consent for the pushed scope
    resp = client.post(hostile, data={"csrf_token": csrf_token(page.text), "decision": "allow"})
    location = resp.headers["Location"]
    assert location.startswith(par_client.redirect_uri + "?"), location
    q = query_of(location)
    assert q["state"] == req.state and "code" in q
    tokens = client.post("/token", data=code_exchange(req, q["code"]), auth=par_client.creds).get_json()
    assert tokens["scope"].split() == ["openid", "profile"]
    # Reused request_uri: refused, no code.
    again = client.get(_by_reference(par_client, pushed["request_uri"]))
    assert "invalid_request_uri" in error_page(again)


@pytest.mark.checklist(16)
def test_expired_or_foreign_request_uri_is_refused(
    app: Any, client: Any, personas: dict, par_client: Registered, other_client: Registered
) -> None:
    authorize_code(client, demo_request(), personas["patient_moscow"])
    pushed = _push(client, par_client, _par_request(par_client))
    resp = client.get(_by_reference(other_client, pushed["request_uri"]))
    assert "invalid_request_uri" in error_page(resp)
    store = app.extensions["gosid"].store
    assert store.ttl("par:" + pushed["request_uri"].rsplit(":", 1)[1]) <= pushed["expires_in"]
    assert expire_now(store, "par:") == 1
    resp = client.get(_by_reference(par_client, pushed["request_uri"]))
    assert "invalid_request_uri" in error_page(resp)


# --- 17. CSRF on login and consent; no state-changing GETs -------------------------------------


@pytest.mark.checklist(17)
def test_login_and_consent_posts_without_or_with_foreign_csrf_token_are_403(app: Any, personas: dict) -> None:
    patient = personas["patient_moscow"]
    web = app.test_client()
    req = demo_request()
    web.get("/authorize?" + req.query())
    resp = web.post("/login", data={"login": patient["phone"], "password": patient["password"]})
    assert resp.status_code == 403
    assert web.get("/dev/outbox", query_string={"to": patient["phone"]}).get_json() == []
    assert password_step(web, patient["phone"], patient["password"]).status_code == 303
    code = outbox_code(web, patient["phone"])
    assert web.post("/login/sms", data={"code": code}).status_code == 403
    assert web.post("/login/sms/resend", data={}).status_code == 403
    page = web.get(sms_step(web, code).headers["Location"])
    assert page.status_code == 200 and "decision" in page.text
    foreign = csrf_token(app.test_client().get("/login").text)  # another browser's token
    for data in ({"decision": "allow"}, {"decision": "allow", "csrf_token": foreign}, {"csrf_token": "x" * 40}):
        resp = web.post("/authorize?" + req.query(), data=data)
        assert resp.status_code == 403 and "Location" not in resp.headers, data
    assert web.get("/authorize?" + req.query()).status_code == 200  # nothing was granted


@pytest.mark.checklist(17)
def test_state_changing_gets_are_refused(app: Any, client: Any, personas: dict) -> None:
    patient = personas["patient_moscow"]
    req = demo_request()
    page = client.get(sign_in_for(client, req, patient).headers["Location"])
    assert page.status_code == 200
    # A consent decision by GET grants nothing.
    decided = client.get("/authorize?" + req.query() + "&decision=allow")
    assert decided.status_code == 200 and "code=" not in decided.headers.get("Location", "")
    # Withdraw, resend and select-account are POST-only.
    assert client.get("/profile/consents/egisz-demo/withdraw").status_code == 405
    assert client.get("/login/sms/resend").status_code == 405
    assert client.get("/authorize/select-account?choice=other").status_code == 405
    # Logout by GET without id_token_hint asks for confirmation and keeps the session.
    assert client.get("/logout").status_code == 200
    assert client.get("/profile").status_code == 200
