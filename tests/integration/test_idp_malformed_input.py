"""The inputs that were 500s at the IdP, one by one: malformed authorization parameters
(Authlib's "forbidden characters" error), Basic credentials that are not UTF-8 or not
form-urlencoded, NUL characters and ids beyond 64 bits (PostgreSQL), a forged account-choice
form. Each is the endpoint's own 4xx now."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from idp.storage.unit_of_work import transaction
from tests.support.flows import RP_REDIRECT, authorize_code
from tests.support.malformed_input import (
    DEMO_CREDS,
    DESCRIPTION_CHARSET,
    auth_params,
    basic_auth,
    error_page,
    oauth_json_error,
    query_params,
)
from tests.support.oidc_client import AuthRequest, csrf_token

ISSUER = "http://localhost:8000"


def test_malformed_redirect_uri_gets_the_error_page_never_a_redirect(client: Any) -> None:
    for bad in ("\\", "\t", '"', "я", "\x00", "%zz", " "):
        resp = client.get("/authorize", query_string={**auth_params(), "redirect_uri": RP_REDIRECT + bad})
        assert error_page(resp) == "invalid_request", bad


@pytest.mark.parametrize("name", ["response_type", "prompt", "scope", "response_mode", "max_age"])
def test_malformed_parameters_are_an_error_redirect_to_the_validated_uri(client: Any, name: str) -> None:
    for bad in ("a\\b", "a\tb", 'a"b', "я", "a'b"):
        params = {**auth_params(), name: bad}
        resp = client.get("/authorize", query_string=params)
        assert resp.status_code == 302, (bad, resp.get_data(as_text=True)[:300])
        answer = query_params(resp.headers["Location"])
        assert resp.headers["Location"].startswith(RP_REDIRECT + "?") and answer["iss"] == ISSUER
        expected = "invalid_scope" if name == "scope" else "invalid_request"
        assert answer["error"] == expected and DESCRIPTION_CHARSET.match(answer["error_description"]), bad
        assert answer["state"] == params["state"]


def test_any_state_is_echoed_exactly_in_an_error_redirect(client: Any) -> None:
    """Not only RFC 6749's VSCHAR: tabs, quotes, backslashes and Cyrillic come back unchanged."""
    for state in ('a"b', "a\\b", "a'b<>", "a\tb", "я", "\x7f", "a\r\nLocation: x"):
        resp = client.get("/authorize", query_string={**auth_params(), "state": state, "prompt": "none"})
        answer = query_params(resp.headers["Location"])
        assert answer["error"] == "login_required" and answer["state"] == state, state


def test_malformed_pushed_request_is_a_json_error(client: Any) -> None:
    form = {**auth_params(), "redirect_uri": RP_REDIRECT + "\\"}
    resp = client.post("/par", data=form, auth=DEMO_CREDS)
    assert oauth_json_error(resp, {"invalid_request"})
    resp = client.post("/par", data={**auth_params(), "response_type": 'co"de'}, auth=DEMO_CREDS)
    assert oauth_json_error(resp, {"invalid_request"})


BAD_BASIC = [
    b"\xff\xfe:\xff",  # not UTF-8
    "egisz-demo:секрет".encode("cp1251"),  # not UTF-8 either
    b"egisz-demo",  # no colon
    b"egisz-demo:%zz",  # a broken percent-escape
    b"egisz-demo:%ff%fe",  # percent-escapes that are not UTF-8
    b"%zz:demo-client-secret-for-tests",
]


@pytest.mark.parametrize("endpoint", ["/token", "/introspect", "/revoke", "/par"])
def test_malformed_basic_credentials_are_invalid_client(client: Any, endpoint: str) -> None:
    data = {"grant_type": "client_credentials", "token": "x", **auth_params()}
    for raw in BAD_BASIC:
        resp = client.post(endpoint, data=data, headers={"Authorization": "Basic " + base64.b64encode(raw).decode()})
        assert resp.status_code == 401 and resp.headers["WWW-Authenticate"].startswith("Basic "), raw
        oauth_json_error(resp, {"invalid_client"})


def test_basic_token_that_is_not_base64_is_invalid_client(client: Any) -> None:
    for token in ("", "!!!", "é", "dGVzdA", "Zm9v:YmFy"):
        headers = {"Authorization": "Basic " + token}
        resp = client.post("/token", data={"grant_type": "client_credentials"}, headers=headers)
        assert resp.status_code == 401, token
        oauth_json_error(resp, {"invalid_client"})


def test_basic_credentials_are_form_url_decoded(app: Any, client: Any) -> None:
    """RFC 6749 §2.3.1: id and secret are application/x-www-form-urlencoded, then base64."""
    from idp.oidc.clients import register_client

    secret = "s3cret with spaces:colons+plus%percent/ё"
    with app.app_context(), transaction():
        register_client(
            client_id="odd client:1", name="Odd", redirect_uris=[RP_REDIRECT], scopes=["profile"], client_secret=secret
        )
    resp = client.post(
        "/introspect", data={"token": "x"}, headers={"Authorization": basic_auth("odd client:1", secret)}
    )
    assert resp.status_code == 200 and resp.get_json() == {"active": False}, resp.get_data(as_text=True)


NUL_REQUESTS = [
    ("GET", "/dev/outbox", {"query_string": {"to": "\x00"}}, "page"),
    ("GET", "/logout", {"query_string": {"client_id": "a\x00", "post_logout_redirect_uri": "http://x/"}}, "page"),
    ("GET", "/login", {"headers": {"User-Agent": "Mozilla\x00"}}, "page"),
    ("POST", "/token", {"data": {"grant_type": "client_credentials", "client_id": "\x00"}}, "oauth"),
    ("POST", "/connect/register", {"json": {"client_name": "a\u0000", "redirect_uris": ["https://a.ru/cb"]}}, "oauth"),
    ("GET", "/aas/oauth2/ac", {"query_string": {"client_id": "EGISZ\x00"}}, "esia_page"),
    ("POST", "/aas/oauth2/te", {"data": {"client_id": "EGISZ\x00", "grant_type": "authorization_code"}}, "esia_json"),
]


@pytest.mark.parametrize(("method", "path", "kwargs", "shape"), NUL_REQUESTS, ids=[r[1] for r in NUL_REQUESTS])
def test_nul_character_is_refused_in_the_surface_shape(
    client: Any, method: str, path: str, kwargs: dict[str, Any], shape: str
) -> None:
    """PostgreSQL text cannot hold a NUL (it was a 500 there); every backend refuses it alike."""
    resp = client.open(path, method=method, **kwargs)
    assert resp.status_code == 400, resp.status_code
    if shape == "oauth":
        oauth_json_error(resp, {"invalid_request"})
    elif shape == "esia_json":
        assert resp.get_json()["error_description"].startswith("ESIA-007003")
    else:
        assert error_page(resp) == ("ESIA-007003" if shape == "esia_page" else "invalid_request")


@pytest.mark.parametrize("path", ["/dev/app/99999999999999999999", "/dev/app/9223372036854775808"])
def test_ids_beyond_64_bits_are_not_found(client: Any, path: str) -> None:
    assert error_page(client.get(path)) == "HTTP-404"


def test_forged_account_choice_is_the_error_page(client: Any, personas: dict[str, Any]) -> None:
    authorize_code(client, AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT), personas["patient_moscow"])
    token = csrf_token(client.get("/login").get_data(as_text=True))
    forged = "client_id=egisz-demo\r\nSet-Cookie: session=attacker"
    resp = client.post("/authorize/select-account", data={"csrf_token": token, "query": forged, "choice": "me"})
    assert error_page(resp) == "invalid_request" and "Set-Cookie" not in str(resp.headers.get("Location"))
