"""Authorization requests the IdP must refuse, and how it refuses them."""

from __future__ import annotations

from typing import Any

from tests.support.flows import RP_REDIRECT, authorize_code, outbox_code, password_step, sms_step
from tests.support.oidc_client import AuthRequest, csrf_token, query_of


def _req(**extra: str) -> AuthRequest:
    return AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT, extra=extra)


def test_unknown_client_gets_an_error_page_not_a_redirect(client: Any) -> None:
    req = AuthRequest(client_id="nobody", redirect_uri=RP_REDIRECT)
    resp = client.get("/authorize?" + req.query())
    assert resp.status_code == 400 and "Location" not in resp.headers
    assert "invalid_client" in resp.text


def test_redirect_uri_must_match_exactly(client: Any) -> None:
    for uri in (
        RP_REDIRECT + "/",
        RP_REDIRECT.upper(),
        RP_REDIRECT + "?x=1",
        "http://localhost:8002/auth/callback",
        "http://evil@localhost:8001/auth/callback",
    ):
        resp = client.get("/authorize?" + AuthRequest(client_id="egisz-demo", redirect_uri=uri).query())
        assert resp.status_code == 400 and "Location" not in resp.headers, uri


def test_pkce_is_required(client: Any) -> None:
    params = _req().params()
    del params["code_challenge"], params["code_challenge_method"]
    resp = client.get("/authorize", query_string=params)
    assert resp.status_code == 302
    q = query_of(resp.headers["Location"])
    assert q["error"] == "invalid_request" and q["iss"] == "http://localhost:8000"


def test_plain_pkce_is_refused(client: Any) -> None:
    params = _req().params()
    params["code_challenge_method"] = "plain"
    resp = client.get("/authorize", query_string=params)
    assert query_of(resp.headers["Location"])["error"] == "invalid_request"


def test_implicit_flow_is_unsupported(client: Any) -> None:
    params = _req().params()
    params["response_type"] = "token"
    resp = client.get("/authorize", query_string=params)
    assert query_of(resp.headers["Location"])["error"] == "unsupported_response_type"


def test_unregistered_scope_is_invalid_scope(client: Any) -> None:
    req = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT, scope="openid admin")
    resp = client.get("/authorize?" + req.query())
    q = query_of(resp.headers["Location"])
    assert q["error"] == "invalid_scope" and q["state"] == req.state


def test_prompt_none_without_session_is_login_required(client: Any) -> None:
    resp = client.get("/authorize?" + _req(prompt="none").query())
    q = query_of(resp.headers["Location"])
    assert q["error"] == "login_required" and q["iss"] == "http://localhost:8000"


def test_an_error_for_an_accepted_request_travels_by_its_response_mode(client: Any, personas: dict) -> None:
    """OAuth 2.0 Form Post Response Mode §2: an error goes back the way a code would."""
    authorize_code(client, _req(), personas["patient_moscow"])  # signed in, consent to the default scope
    req = AuthRequest(
        client_id="egisz-demo",
        redirect_uri=RP_REDIRECT,
        scope="openid snils",
        extra={"prompt": "none", "response_mode": "form_post"},
    )
    resp = client.get("/authorize?" + req.query())
    assert resp.status_code == 200 and "Location" not in resp.headers
    assert f'action="{RP_REDIRECT}"' in resp.text and 'name="error" value="consent_required"' in resp.text
    assert f'name="state" value="{req.state}"' in resp.text and 'name="iss" value="http://localhost:8000"' in resp.text


def test_an_error_in_the_request_itself_goes_back_by_query(client: Any) -> None:
    """Until the request is accepted its response_mode is not trusted: a bad prompt comes back by query."""
    req = _req(prompt="bogus", response_mode="form_post")
    resp = client.get("/authorize?" + req.query())
    assert resp.status_code == 302 and resp.headers["Location"].startswith(RP_REDIRECT + "?")
    q = query_of(resp.headers["Location"])
    assert q["error"] == "invalid_request" and q["state"] == req.state and q["iss"] == "http://localhost:8000"


def test_an_error_answering_a_posted_request_is_a_303(client: Any) -> None:
    req = _req(prompt="none")
    resp = client.post("/authorize", data=req.params())
    assert resp.status_code == 303 and query_of(resp.headers["Location"])["error"] == "login_required"


def test_deny_on_consent_returns_access_denied(client: Any, personas: dict) -> None:
    params = authorize_code(client, _req(), personas["patient_moscow"], allow=False)
    assert params["error"] == "access_denied" and "code" not in params


def test_consent_is_remembered_and_can_be_withdrawn(client: Any, personas: dict) -> None:
    patient = personas["patient_moscow"]
    first = authorize_code(client, _req(), patient)
    assert "code" in first
    # Same browser, same scopes: straight back with a code, no consent page.
    again = client.get("/authorize?" + _req().query())
    assert again.status_code == 302 and "code=" in again.headers["Location"]
    # Withdraw in the cabinet: the consent page is shown again.
    cabinet = client.get("/profile")
    assert "ЕГИСЗ" in cabinet.text
    client.post("/profile/consents/egisz-demo/withdraw", data={"csrf_token": csrf_token(cabinet.text)})
    third = client.get("/authorize?" + _req().query())
    assert third.status_code == 200 and 'value="allow"' in third.text


def test_consent_page_lists_what_the_client_gets(client: Any, personas: dict) -> None:
    req = AuthRequest(
        client_id="egisz-demo", redirect_uri=RP_REDIRECT, scope="openid snils medical_doc", extra={"lang": "en"}
    )
    patient = personas["patient_moscow"]
    client.get("/authorize?" + req.query())
    password_step(client, patient["phone"], patient["password"])
    resp = sms_step(client, outbox_code(client, patient["phone"]))
    page = client.get(resp.headers["Location"])
    assert "SNILS" in page.text and "OMS medical insurance policy" in page.text


def test_consent_post_without_csrf_is_refused(client: Any, personas: dict) -> None:
    patient = personas["patient_moscow"]
    req = _req()
    client.get("/authorize?" + req.query())
    password_step(client, patient["phone"], patient["password"])
    sms_step(client, outbox_code(client, patient["phone"]))
    resp = client.post("/authorize?" + req.query(), data={"decision": "allow"})
    assert resp.status_code == 403 and "Location" not in resp.headers


def test_pages_cannot_be_framed(client: Any) -> None:
    resp = client.get("/login")
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["Referrer-Policy"] == "no-referrer"
