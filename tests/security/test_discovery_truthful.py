"""Discovery is complete and truthful (issue 3, "Proof"): every advertised endpoint answers,
every advertised value works, and of the values a client might try, exactly the advertised ones
are accepted. "Might try" is each metadata field's registered or commonly used values, probed
against the running app; both lists are compared as sets, so a value that works but is not
advertised fails the test as surely as one that is advertised and does not work.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import OKPKey

from tests.support.clients import DEMO_CREDS, ISSUER, register
from tests.support.flows import RP_REDIRECT
from tests.support.handmade_jwts import assertion, decode_part, dpop_proof, published_keyset
from tests.support.jose_builders import ASSERTION_TYPE, ec_key, rsa_key
from tests.support.oidc_client import AuthRequest, query_of
from tests.support.sign_in import bearer, front_channel, sign_in

REGISTRATION_TOKEN = "registration-token-0123456789"
OFFLINE = "openid profile offline_access"  # refresh tokens come with offline access
MACHINE = ("disc-machine", "disc-machine-secret-0123456789")
GRANT_UNIVERSE = [
    "authorization_code",
    "refresh_token",
    "client_credentials",
    "password",
    "implicit",
    "urn:ietf:params:oauth:grant-type:device_code",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "urn:ietf:params:oauth:grant-type:saml2-bearer",
    "urn:ietf:params:oauth:grant-type:token-exchange",
    "urn:openid:params:grant-type:ciba",
]
RESPONSE_TYPE_UNIVERSE = ["code", "token", "id_token", "code id_token", "code token", "id_token token", "none"]
RESPONSE_MODE_UNIVERSE = ["query", "form_post", "fragment", "jwt", "query.jwt", "form_post.jwt"]
PROMPT_UNIVERSE = ["none", "login", "consent", "select_account", "create"]
AUTH_METHOD_UNIVERSE = [
    "client_secret_basic",
    "client_secret_post",
    "private_key_jwt",
    "none",
    "client_secret_jwt",
    "tls_client_auth",
    "self_signed_tls_client_auth",
]
JWS_ALG_UNIVERSE = ["RS256", "PS256", "ES256", "EdDSA", "ES384", "RS512", "HS256", "none"]


@pytest.fixture
def meta(app: Any, client: Any) -> dict[str, Any]:
    svc = app.extensions["gosid"]
    object.__setattr__(svc, "settings", dataclasses.replace(svc.settings, registration_token=REGISTRATION_TOKEN))
    doc: dict[str, Any] = client.get("/.well-known/openid-configuration").get_json()
    return doc


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


def test_every_advertised_endpoint_answers_and_every_endpoint_is_advertised(
    app: Any, client: Any, meta: dict[str, Any]
) -> None:
    assert meta["issuer"] == ISSUER
    assert client.get("/.well-known/oauth-authorization-server").get_json() == meta
    probes = {
        "authorization_endpoint": ("GET", {400}),  # no parameters: an error page, but an answer
        "token_endpoint": ("POST", {400, 401}),
        "userinfo_endpoint": ("GET", {401}),
        "jwks_uri": ("GET", {200}),
        "end_session_endpoint": ("GET", {200}),
        "introspection_endpoint": ("POST", {400, 401}),
        "revocation_endpoint": ("POST", {400, 401}),
        "pushed_authorization_request_endpoint": ("POST", {400, 401}),
        "registration_endpoint": ("POST", {401}),
    }
    advertised = {k for k in meta if k.endswith("_endpoint") or k == "jwks_uri"}
    assert advertised == set(probes), "an endpoint is advertised without a probe, or the other way round"
    for name, (method, statuses) in probes.items():
        url = meta[name]
        assert url.startswith(ISSUER + "/"), (name, url)
        resp = client.open(url[len(ISSUER) :], method=method)
        assert resp.status_code in statuses, (name, resp.status_code, resp.text[:200])
    assert client.get("/jwks.json").get_json()["keys"]
    # Every protocol route the app serves is advertised.
    protocol_routes = {"/authorize", "/token", "/userinfo", "/jwks.json", "/logout"}
    protocol_routes |= {"/introspect", "/revoke", "/par", "/connect/register"}
    served = {rule.rule for rule in app.url_map.iter_rules()}
    assert protocol_routes <= served
    assert {meta[n][len(ISSUER) :] for n in probes} == protocol_routes
    # Without an initial access token, registration is neither offered nor advertised.
    svc = app.extensions["gosid"]
    object.__setattr__(svc, "settings", dataclasses.replace(svc.settings, registration_token=""))
    assert "registration_endpoint" not in client.get("/.well-known/openid-configuration").get_json()
    assert client.post("/connect/register", json={}).status_code == 404


@pytest.mark.checklist(3)
def test_discovery_lists_exactly_the_grant_types_that_work(
    app: Any, client: Any, meta: dict[str, Any], personas: dict[str, Any]
) -> None:
    creds = ("disc-all-grants", "disc-all-grants-secret-0123456789")
    register(
        app,
        client_id=creds[0],
        redirect_uris=[RP_REDIRECT],
        client_secret=creds[1],
        grant_types=("authorization_code", "refresh_token", "client_credentials"),
    )
    working = set()
    for grant in GRANT_UNIVERSE:
        resp = client.post("/token", data={"grant_type": grant, "code": "x", "refresh_token": "x"}, auth=creds)
        assert resp.status_code < 500, (grant, resp.text)
        if resp.get_json().get("error") != "unsupported_grant_type":
            working.add(grant)
    assert set(meta["grant_types_supported"]) == working
    # And each one really issues tokens.
    done = sign_in(client, personas["patient_moscow"], client_id=creds[0], creds=creds, scope=OFFLINE)
    refreshed = client.post(
        "/token", data={"grant_type": "refresh_token", "refresh_token": done.refresh_token}, auth=creds
    )
    assert refreshed.status_code == 200
    machine = client.post("/token", data={"grant_type": "client_credentials"}, auth=creds)
    assert machine.status_code == 200 and machine.get_json()["access_token"]


def _authorize_probe(client: Any, **params: str) -> Any:
    """An authorization request from a browser with no session: a supported request goes to
    the login page; an unsupported one gets an error (on the IdP or at the redirect URI)."""
    req = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT)
    return client.get("/authorize", query_string={**req.params(), **params})


def _goes_to_login(resp: Any) -> bool:
    return resp.status_code == 302 and resp.headers["Location"].endswith("/login")


def test_discovery_lists_exactly_the_response_types_modes_and_prompts_that_work(
    app: Any, meta: dict[str, Any], personas: dict[str, Any]
) -> None:
    persona = personas["patient_moscow"]
    probe = app.test_client()
    types = {t for t in RESPONSE_TYPE_UNIVERSE if _goes_to_login(_authorize_probe(probe, response_type=t))}
    assert set(meta["response_types_supported"]) == types
    modes = {m for m in RESPONSE_MODE_UNIVERSE if _goes_to_login(_authorize_probe(probe, response_mode=m))}
    assert set(meta["response_modes_supported"]) == modes
    prompts = set()
    for prompt in PROMPT_UNIVERSE:
        resp = _authorize_probe(probe, prompt=prompt)
        error = query_of(resp.headers.get("Location", "")).get("error")
        if _goes_to_login(resp) or error == "login_required":
            prompts.add(prompt)
    assert set(meta["prompt_values_supported"]) == prompts
    methods = set()
    for method in ("S256", "plain", "S512"):
        if _goes_to_login(_authorize_probe(probe, code_challenge_method=method)):
            methods.add(method)
    assert set(meta["code_challenge_methods_supported"]) == methods

    # Each advertised value works to the end, in a signed-in browser.
    browser = app.test_client()
    sign_in(browser, persona)
    base = {"client_id": "egisz-demo", "redirect_uri": RP_REDIRECT}
    query = AuthRequest(**base, extra={"response_mode": "query"})
    assert "code" in front_channel(browser, query, persona)
    form_post = AuthRequest(**base, extra={"response_mode": "form_post"})
    page = browser.get("/authorize?" + form_post.query())
    assert page.status_code == 200 and f'action="{RP_REDIRECT}"' in page.text and 'name="code"' in page.text
    silent = AuthRequest(**base, extra={"prompt": "none"})
    assert "code" in query_of(browser.get("/authorize?" + silent.query()).headers["Location"])
    login = AuthRequest(**base, extra={"prompt": "login"})
    assert _goes_to_login(browser.get("/authorize?" + login.query()))
    browser = app.test_client()
    sign_in(browser, persona)
    consent = browser.get("/authorize?" + AuthRequest(**base, extra={"prompt": "consent"}).query())
    assert consent.status_code == 200 and 'name="decision"' in consent.text
    chooser = browser.get("/authorize?" + AuthRequest(**base, extra={"prompt": "select_account"}).query())
    assert chooser.status_code == 200 and "select-account" in chooser.text


def _exchange_with(client: Any, method: str, client_id: str, secret: str | None, key: Any, req: Any, code: str) -> Any:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": req.redirect_uri}
    data["code_verifier"] = req.verifier
    if method == "client_secret_basic":
        return client.post("/token", data=data, auth=(client_id, secret))
    if method == "client_secret_post":
        return client.post("/token", data={**data, "client_id": client_id, "client_secret": secret})
    if method == "private_key_jwt":
        return client.post(
            "/token",
            data={**data, "client_id": client_id, "client_assertion_type": ASSERTION_TYPE,
                  "client_assertion": assertion(key, client_id)},
        )  # fmt: skip
    return client.post("/token", data={**data, "client_id": client_id})


def test_discovery_lists_exactly_the_client_authentication_methods_that_work(
    app: Any, client: Any, meta: dict[str, Any], personas: dict[str, Any]
) -> None:
    from idp.oidc.clients import ClientRegistrationError

    persona = personas["patient_moscow"]
    key = ec_key("disc-key")
    working = set()
    for method in AUTH_METHOD_UNIVERSE:
        client_id = f"disc-{method}".replace("_", "-")
        redirect = f"http://127.0.0.1:5000/{client_id}"
        try:
            secret = register(
                app,
                client_id=client_id,
                redirect_uris=[redirect],
                auth_method=method,
                jwks={"keys": [key.as_dict(private=False)]},
            )
        except ClientRegistrationError:
            continue
        req = AuthRequest(client_id=client_id, redirect_uri=redirect)
        code = front_channel(client, req, persona)["code"]
        resp = _exchange_with(client, method, client_id, secret, key, req, code)
        assert resp.status_code == 200, (method, resp.text)
        assert resp.get_json()["id_token"]
        working.add(method)
    assert set(meta["token_endpoint_auth_methods_supported"]) == working
    # Introspection and revocation: the confidential methods, not "none".
    assert set(meta["introspection_endpoint_auth_methods_supported"]) == working - {"none"}
    assert set(meta["revocation_endpoint_auth_methods_supported"]) == working - {"none"}


@pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
def test_discovery_lists_exactly_the_jws_algorithms_that_work(
    app: Any, client: Any, meta: dict[str, Any], personas: dict[str, Any]
) -> None:
    from idp.oidc.clients import ClientRegistrationError

    persona = personas["patient_moscow"]
    # ID tokens: each advertised algorithm can be chosen per client and verifies with JWKS.
    id_algs = set()
    for alg in JWS_ALG_UNIVERSE:
        client_id = f"disc-id-{alg}".lower()
        creds = (client_id, f"{client_id}-secret-0123456789")
        try:
            register(app, client_id=client_id, redirect_uris=[RP_REDIRECT], client_secret=creds[1], id_token_alg=alg)
        except ClientRegistrationError:
            continue
        done = sign_in(client, persona, client_id=client_id, creds=creds)
        decoded = jwt.decode(done.id_token, published_keyset(client), algorithms=[alg])
        assert decoded.header["alg"] == alg
        id_algs.add(alg)
    assert set(meta["id_token_signing_alg_values_supported"]) == id_algs

    # private_key_jwt assertions: signed with each algorithm in turn.
    keys = {"RS256": rsa_key("a-rs"), "PS256": rsa_key("a-ps"), "ES256": ec_key("a-es"), "EdDSA": _ed25519("a-ed")}
    register(
        app,
        client_id="disc-assert",
        redirect_uris=[],
        scopes=["medcard.rs"],
        auth_method="private_key_jwt",
        grant_types=("client_credentials",),
        jwks={"keys": [k.as_dict(private=False) for k in keys.values()]},
    )
    assertion_algs = set()
    for alg, key in keys.items():
        resp = client.post(
            "/token",
            data={"grant_type": "client_credentials", "client_id": "disc-assert",
                  "client_assertion_type": ASSERTION_TYPE, "client_assertion": assertion(key, "disc-assert", alg=alg)},
        )  # fmt: skip
        if resp.status_code == 200:
            assertion_algs.add(alg)
    assert set(meta["token_endpoint_auth_signing_alg_values_supported"]) == assertion_algs
    assert set(meta["introspection_endpoint_auth_signing_alg_values_supported"]) == assertion_algs
    assert set(meta["revocation_endpoint_auth_signing_alg_values_supported"]) == assertion_algs

    # DPoP proofs.
    machine = _machine(app)
    first = client.post("/token", data={"grant_type": "client_credentials"}, auth=machine)
    assert first.status_code == 200
    nonce_probe = client.post(
        "/token",
        data={"grant_type": "client_credentials"},
        auth=machine,
        headers={"DPoP": dpop_proof(keys["ES256"], htm="POST", htu=f"{ISSUER}/token")},
    )
    nonce = nonce_probe.headers["DPoP-Nonce"]
    dpop_keys = {**keys, "ES384": _ec384("d-es384")}
    dpop_algs = set()
    for alg, key in dpop_keys.items():
        proof = dpop_proof(key, htm="POST", htu=f"{ISSUER}/token", alg=alg, nonce=nonce)
        resp = client.post("/token", data={"grant_type": "client_credentials"}, auth=machine, headers={"DPoP": proof})
        if resp.status_code == 200:
            assert resp.get_json()["token_type"] == "DPoP"
            dpop_algs.add(alg)
    assert set(meta["dpop_signing_alg_values_supported"]) == dpop_algs
    assert "none" not in json.dumps({k: v for k, v in meta.items() if k.endswith("alg_values_supported")})


def _ed25519(kid: str) -> Any:
    return OKPKey.generate_key("Ed25519", parameters={"kid": kid}, private=True)


def _ec384(kid: str) -> Any:
    from joserfc.jwk import ECKey

    return ECKey.generate_key("P-384", parameters={"kid": kid}, private=True)


def test_advertised_scopes_claims_and_features_work(
    app: Any, client: Any, meta: dict[str, Any], personas: dict[str, Any]
) -> None:
    persona = personas["doctor_dagestan_certified"]
    scopes = [s for s in meta["scopes_supported"] if s != "openid"]
    creds = ("disc-scopes", "disc-scopes-secret-0123456789")
    register(app, client_id=creds[0], redirect_uris=[RP_REDIRECT], scopes=scopes, client_secret=creds[1])
    done = sign_in(client, persona, client_id=creds[0], creds=creds, scope=" ".join(["openid", *scopes]))
    assert set(done.tokens["scope"].split()) == set(meta["scopes_supported"])
    # Every claim the IdP hands out (ID token, userinfo) is advertised in claims_supported.
    userinfo = client.get("/userinfo", headers=bearer(done.access_token)).get_json()
    issued = set(decode_part(done.id_token, 1)) | set(userinfo)
    assert issued <= set(meta["claims_supported"]), issued - set(meta["claims_supported"])
    # The claims parameter (claims_parameter_supported) releases a named claim into the ID token.
    assert meta["claims_parameter_supported"] is True
    claims = json.dumps({"id_token": {"snils": {"essential": True}}})
    req = AuthRequest(client_id=creds[0], redirect_uri=RP_REDIRECT, scope="openid", extra={"claims": claims})
    code = front_channel(client, req, persona)["code"]
    tokens = client.post(
        "/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": RP_REDIRECT,
              "code_verifier": req.verifier},
        auth=creds,
    ).get_json()  # fmt: skip
    assert decode_part(tokens["id_token"], 1)["snils"] == persona["snils"]
    # Public subject identifiers: the same sub for every client.
    assert meta["subject_types_supported"] == ["public"]
    other = sign_in(client, persona)
    assert decode_part(other.id_token, 1)["sub"] == decode_part(done.id_token, 1)["sub"]
    # RFC 9207: the authorization response names the issuer.
    assert meta["authorization_response_iss_parameter_supported"] is True
    assert (
        front_channel(client, AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT), persona)["iss"] == ISSUER
    )
    # ui_locales: each advertised locale is served.
    for locale in meta["ui_locales_supported"]:
        browser = app.test_client()
        browser.get("/authorize?" + AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT,
                                                extra={"ui_locales": locale}).query())  # fmt: skip
        assert f'<html lang="{locale}"' in browser.get("/login").text
    # Back-channel logout with sessions: ID tokens carry the sid that logout tokens name
    # (the delivery itself: test_jwt_logout_sessions.py::test_backchannel_logout_...).
    assert meta["backchannel_logout_supported"] is True and meta["backchannel_logout_session_supported"] is True
    assert decode_part(done.id_token, 1)["sid"]
    # Not offered, and indeed not honoured: request objects and front-channel logout.
    assert meta["request_parameter_supported"] is False and meta["frontchannel_logout_supported"] is False
    # PAR is optional unless a client is registered to require it.
    assert meta["require_pushed_authorization_requests"] is False


def test_advertised_acr_values_are_the_policy_and_never_silently_downgraded(
    app: Any, client: Any, meta: dict[str, Any], personas: dict[str, Any]
) -> None:
    """2fa is reached by password + SMS here; strong needs a passkey with user verification
    (its positive path: tests/integration/factors/test_passkey.py). A person without a strong
    factor who is asked for strong as essential gets an error, never a weaker acr."""
    from idp.authn.assurance import ACR_STRONG, ACR_TWO_FACTOR, ACR_VALUES

    assert set(meta["acr_values_supported"]) == set(ACR_VALUES) == {ACR_TWO_FACTOR, ACR_STRONG}
    persona = personas["patient_moscow"]
    outcomes = {}
    for acr in meta["acr_values_supported"]:
        claims = json.dumps({"id_token": {"acr": {"essential": True, "values": [acr]}}})
        req = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT, extra={"claims": claims})
        params = front_channel(app.test_client(), req, persona)  # signs in from scratch
        if "code" in params:
            tokens = client.post(
                "/token",
                data={"grant_type": "authorization_code", "code": params["code"], "redirect_uri": RP_REDIRECT,
                      "code_verifier": req.verifier},
                auth=DEMO_CREDS,
            ).get_json()  # fmt: skip
            outcomes[acr] = decode_part(tokens["id_token"], 1)["acr"]
        else:
            outcomes[acr] = params["error"]
    assert outcomes == {ACR_TWO_FACTOR: ACR_TWO_FACTOR, ACR_STRONG: "unmet_authentication_requirements"}
