"""Property tests: every input to the IdP's protocol endpoints gets a 4xx in the endpoint's own
shape, never a 5xx — OAuth JSON errors with RFC codes, the authorization error redirect only to
a validated redirect_uri, the error page with a support code otherwise. Browser pages:
``test_idp_page_properties.py``; the reported cases: ``test_idp_malformed_input.py``."""

from __future__ import annotations

import base64
import dataclasses
import re
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.flows import RP_REDIRECT, authorize_code
from tests.support.malformed_input import (
    BOUNDED,
    DEMO_CREDS,
    DESCRIPTION_CHARSET,
    FORM,
    auth_params,
    basic_auth,
    basic_header,
    error_page,
    header_text,
    hostile_text,
    local_location,
    mutated,
    no_server_error,
    oauth_json_error,
    query_params,
)
from tests.support.oidc_client import AuthRequest, csrf_token

ISSUER = "http://localhost:8000"
AUTHZ_ERRORS = {
    "invalid_request", "unauthorized_client", "access_denied", "unsupported_response_type", "invalid_scope",
    "temporarily_unavailable", "interaction_required", "login_required", "account_selection_required",
    "consent_required", "invalid_request_uri", "request_not_supported", "unmet_authentication_requirements",
}  # fmt: skip
TOKEN_ERRORS = {
    "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type",
    "invalid_scope", "invalid_dpop_proof", "use_dpop_nonce",
}  # fmt: skip
OIDC_EXTRA = (
    "prompt", "max_age", "claims", "response_mode", "login_hint", "id_token_hint", "acr_values", "request",
    "request_uri", "display", "ui_locales", "dpop_jkt",
)  # fmt: skip
JWKS = "/jwks.json"


def _authorization_answer(resp: Any) -> None:
    """A redirect to the validated redirect_uri (code or RFC error, with iss), a local redirect
    (login), a page (consent, form_post), or the error page — never a redirect elsewhere."""
    no_server_error(resp)
    if 300 <= resp.status_code < 400:
        location = resp.headers["Location"]
        if local_location(location):
            return
        assert location.startswith(RP_REDIRECT + "?"), location
        params = query_params(location)
        assert params.get("iss") == ISSUER and ("code" in params or params.get("error") in AUTHZ_ERRORS), params
        assert DESCRIPTION_CHARSET.match(params.get("error_description", "")), params
    elif resp.status_code == 200:
        action = re.search(r'<form method="post" action="([^"]*)" id="form_post"', resp.get_data(as_text=True))
        assert action is None or action.group(1) == RP_REDIRECT, action
    elif resp.is_json:
        oauth_json_error(resp, AUTHZ_ERRORS | {"invalid_client"})
    else:
        error_page(resp)


@pytest.fixture
def signed_in(client: Any, personas: dict[str, Any]) -> Any:
    """A browser with a session and consent for egisz-demo (so requests reach code issuance)."""
    req = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT, scope="openid profile")
    authorize_code(client, req, personas["patient_moscow"])
    return client


@BOUNDED
@given(params=mutated(auth_params(), OIDC_EXTRA))
def test_authorize_get_anonymous(client: Any, params: list[tuple[str, str]]) -> None:
    _authorization_answer(client.get("/authorize?" + urlencode(params)))


@BOUNDED
@given(params=mutated(auth_params(), OIDC_EXTRA))
def test_authorize_get_signed_in(signed_in: Any, params: list[tuple[str, str]]) -> None:
    _authorization_answer(signed_in.get("/authorize?" + urlencode(params)))


@BOUNDED
@given(params=mutated(auth_params(), OIDC_EXTRA), query=st.booleans())
def test_authorize_post(signed_in: Any, params: list[tuple[str, str]], query: bool) -> None:
    if query:
        resp = signed_in.post("/authorize?" + urlencode(params), data={"decision": "allow"})
    else:
        resp = signed_in.post("/authorize", data=urlencode(params), content_type=FORM)
    _authorization_answer(resp)


@BOUNDED
@given(query=hostile_text(), choice=hostile_text(10))
def test_select_account(signed_in: Any, query: str, choice: str) -> None:
    token = csrf_token(signed_in.get("/login").get_data(as_text=True))
    resp = signed_in.post("/authorize/select-account", data={"csrf_token": token, "query": query, "choice": choice})
    no_server_error(resp)
    if resp.status_code in (302, 303):
        assert resp.headers["Location"].startswith("/authorize")
    else:
        error_page(resp)


def _token_auth(draw: st.DrawFn) -> tuple[dict[str, str], dict[str, str]]:
    """(headers, extra form fields) for one way of (mis)authenticating the client."""
    how = draw(st.sampled_from(("none", "good_basic", "hostile_basic", "post", "assertion", "mixed")))
    if how == "good_basic":
        return {"Authorization": basic_auth(*DEMO_CREDS)}, {}
    if how == "hostile_basic":
        return {"Authorization": draw(basic_header())}, {}
    if how == "post":
        return {}, {"client_id": draw(st.sampled_from([DEMO_CREDS[0], "x"])), "client_secret": draw(hostile_text())}
    if how == "assertion":
        assertion_type = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        return {}, {"client_assertion_type": assertion_type, "client_assertion": draw(_jwt_like())}
    if how == "mixed":
        return {"Authorization": basic_auth(*DEMO_CREDS)}, {"client_secret": DEMO_CREDS[1]}
    return {}, {}


def _jwt_like() -> st.SearchStrategy[str]:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    part = st.one_of(st.binary(max_size=40), hostile_text().map(str.encode)).map(b64)
    header = st.sampled_from([b'{"alg":"none"}', b'{"alg":"RS256","kid":"a\\"b"}', b'{"alg":"HS256"}', b"[]"]).map(b64)
    payload = st.sampled_from([b'{"sub":"egisz-demo"}', b'{"sub":1}', b"{}", b"null"]).map(b64)
    return st.one_of(hostile_text(), st.tuples(header, payload, part).map(".".join))


TOKEN_BASES = {
    "authorization_code": {"grant_type": "authorization_code", "code": "c", "redirect_uri": RP_REDIRECT,
                           "code_verifier": "v" * 43},
    "refresh_token": {"grant_type": "refresh_token", "refresh_token": "r", "scope": "openid"},
    "client_credentials": {"grant_type": "client_credentials", "scope": "profile"},
    "unknown": {"grant_type": "password", "username": "u", "password": "p"},
}  # fmt: skip


@st.composite
def _token_request(draw: st.DrawFn) -> tuple[dict[str, str], list[tuple[str, str]]]:
    base = TOKEN_BASES[draw(st.sampled_from(sorted(TOKEN_BASES)))]
    headers, extra = _token_auth(draw)
    if draw(st.integers(0, 5)) == 0:
        headers["DPoP"] = draw(header_text())
    return headers, draw(mutated({**base, **extra}, ("scope", "resource", "dpop_jkt")))


@BOUNDED
@given(request=_token_request())
def test_token_endpoint(client: Any, request: tuple[dict[str, str], list[tuple[str, str]]]) -> None:
    headers, form = request
    resp = client.post("/token", data=urlencode(form), headers=headers, content_type=FORM)
    no_server_error(resp)
    if resp.status_code == 200:
        assert resp.get_json()["access_token"] and resp.get_json()["token_type"]
        return
    body = oauth_json_error(resp, TOKEN_ERRORS)
    if resp.status_code == 401 and body["error"] == "invalid_client":
        assert resp.headers.get("WWW-Authenticate", "").startswith("Basic ")


@pytest.mark.parametrize("endpoint", ["/introspect", "/revoke", "/par"])
@BOUNDED
@given(request=_token_request(), token=hostile_text())
def test_client_authenticated_endpoints(
    client: Any, endpoint: str, request: tuple[dict[str, str], list[tuple[str, str]]], token: str
) -> None:
    headers, form = request
    form = [*form, ("token", token), *(auth_params().items() if endpoint == "/par" else [])]
    resp = client.post(endpoint, data=urlencode(form), headers=headers, content_type=FORM)
    no_server_error(resp)
    if resp.status_code in (200, 201):
        return
    oauth_json_error(resp, TOKEN_ERRORS | {"invalid_scope", "unsupported_response_type", "invalid_request_uri"})


@BOUNDED
@given(
    scheme=st.sampled_from(["Bearer", "DPoP", "bearer", "Basic", "", "Bearer  "]),
    token=header_text(),
    dpop=st.none() | header_text(),
    body=st.none() | hostile_text(),
    post=st.booleans(),
)
def test_userinfo(client: Any, scheme: str, token: str, dpop: str | None, body: str | None, post: bool) -> None:
    headers = {"Authorization": f"{scheme} {token}"}
    if dpop is not None:
        headers["DPoP"] = dpop
    data = {"access_token": body} if body is not None else None
    resp = client.post("/userinfo", data=data, headers=headers) if post else client.get("/userinfo", headers=headers)
    no_server_error(resp)
    oauth_json_error(resp, {"invalid_token", "invalid_request", "insufficient_scope", "invalid_dpop_proof"})
    if resp.status_code == 401:
        assert resp.headers.get("WWW-Authenticate")


END_SESSION = {"id_token_hint": "x.y.z", "post_logout_redirect_uri": "http://localhost:8001/", "state": "s",
               "client_id": "egisz-demo", "ui_locales": "ru"}  # fmt: skip


@BOUNDED
@given(params=mutated(END_SESSION, ("logout_hint",)), post=st.booleans())
def test_end_session(signed_in: Any, params: list[tuple[str, str]], post: bool) -> None:
    if post:
        resp = signed_in.post("/logout", data=urlencode(params), content_type=FORM)
    else:
        resp = signed_in.get("/logout?" + urlencode(params))
    no_server_error(resp)
    if 300 <= resp.status_code < 400:
        assert resp.headers["Location"].startswith("http://localhost:8001/"), resp.headers["Location"]
    elif resp.status_code >= 400:
        error_page(resp)


def _json_values() -> st.SearchStrategy[Any]:
    leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), hostile_text(20))
    return st.recursive(
        leaf,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text(8), inner, max_size=3),
        max_leaves=6,
    )


METADATA_KEYS = (
    "client_name", "redirect_uris", "scope", "grant_types", "response_types", "token_endpoint_auth_method", "jwks",
    "id_token_signed_response_alg", "access_token_signed_response_alg", "require_pushed_authorization_requests",
    "dpop_bound_access_tokens", "backchannel_logout_uri", "post_logout_redirect_uris",
)  # fmt: skip


@BOUNDED
@given(
    body=st.one_of(st.dictionaries(st.sampled_from(METADATA_KEYS), _json_values(), max_size=6), _json_values()),
    raw=st.none() | st.binary(max_size=80),
    token=st.sampled_from(["Bearer reg-token-0123456789", "Bearer wrong", "Basic x"]) | header_text(),
)
def test_dynamic_registration(app: Any, client: Any, body: Any, raw: bytes | None, token: str) -> None:
    svc = app.extensions["gosid"]
    object.__setattr__(svc, "settings", dataclasses.replace(svc.settings, registration_token="reg-token-0123456789"))
    headers = {"Authorization": token}
    if raw is None:
        resp = client.post("/connect/register", json=body, headers=headers)
    else:
        resp = client.post("/connect/register", data=raw, headers=headers, content_type="application/json")
    no_server_error(resp)
    if resp.status_code == 201:
        assert resp.get_json()["client_id"]
        return
    oauth_json_error(resp, {"invalid_token", "invalid_client_metadata", "invalid_redirect_uri", "invalid_request"})


@BOUNDED
@given(
    path=st.sampled_from(["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server", JWKS]),
    query=st.lists(st.tuples(hostile_text(10), hostile_text()), max_size=3),
    accept=header_text(),
    language=header_text(),
)
def test_discovery_and_jwks(client: Any, path: str, query: list[tuple[str, str]], accept: str, language: str) -> None:
    resp = client.get(path + "?" + urlencode(query), headers={"Accept": accept, "Accept-Language": language})
    if "\x00" in "".join([accept, language, *(k + v for k, v in query)]):
        assert oauth_json_error(resp, {"invalid_request"})["error_description"].endswith("a NUL character")
        return
    assert resp.status_code == 200 and resp.is_json
    assert resp.get_json().get("issuer" if "well-known" in path else "keys")
