"""Authorization requests sent by POST (OIDC Core 1.0 §3.1.2.1: "Authorization Servers MUST
support the use of the HTTP GET and POST methods"): form-encoded parameters, no CSRF token of
ours (the request comes from the client's page), the same checks as GET; the consent form
posted back to ``/authorize?<query>`` still needs its CSRF token."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from joserfc import jwt

from tests.support.flows import RP_REDIRECT, authorize_code, exchange, outbox_code, password_step, sms_step
from tests.support.oidc_client import AuthRequest, csrf_token, query_of

FORM = "application/x-www-form-urlencoded"


def _req(**extra: str) -> AuthRequest:
    return AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT, extra=extra)


def _post(client: Any, params: dict[str, str] | list[tuple[str, str]]) -> Any:
    """The client's page auto-submitting a form to /authorize: no cookie-bound token, no query."""
    return client.post("/authorize", data=urlencode(params), content_type=FORM)


def test_a_code_flow_started_by_post(
    app: Any, client: Any, rp_credentials: tuple[str, str], personas: dict[str, Any]
) -> None:
    patient = personas["patient_moscow"]
    req = _req()
    first = _post(client, req.params())
    assert first.status_code == 303 and first.headers["Location"].endswith("/login"), first.text
    assert password_step(client, patient["phone"], patient["password"]).status_code == 303
    back = sms_step(client, outbox_code(client, patient["phone"]))
    assert back.status_code == 303 and back.headers["Location"].startswith("/authorize?")
    page = client.get(back.headers["Location"])  # the login comes back to the request, now by GET
    assert page.status_code == 200 and 'name="decision"' in page.text
    decided = client.post(back.headers["Location"], data={"csrf_token": csrf_token(page.text), "decision": "allow"})
    assert decided.status_code == 303 and decided.headers["Location"].startswith(RP_REDIRECT + "?")
    params = query_of(decided.headers["Location"])
    assert params["state"] == req.state and params["iss"] == "http://localhost:8000"
    tokens = exchange(client, rp_credentials, req, params["code"])
    assert tokens.status_code == 200, tokens.text
    keyset = app.extensions["gosid"].keyring.verification_keyset()
    claims = jwt.decode(tokens.get_json()["id_token"], keyset).claims
    assert claims["nonce"] == req.nonce and claims["sub"] == str(patient["oid"])


def test_a_posted_request_of_a_signed_in_person_with_consent_gets_its_code(
    client: Any, personas: dict[str, Any]
) -> None:
    authorize_code(client, _req(), personas["patient_moscow"])
    req = _req()
    resp = _post(client, req.params())
    assert resp.status_code == 303, resp.text
    params = query_of(resp.headers["Location"])
    assert resp.headers["Location"].startswith(RP_REDIRECT + "?") and params["state"] == req.state and params["code"]


def test_a_posted_request_that_needs_consent_shows_the_page_and_posts_it_back_with_its_query(
    client: Any, personas: dict[str, Any]
) -> None:
    authorize_code(client, _req(), personas["patient_moscow"])
    req = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT, scope="openid snils")
    page = _post(client, req.params())
    assert page.status_code == 200 and 'name="decision"' in page.text
    assert f'action="/authorize?{urlencode(req.params())}"'.replace("&", "&amp;") in page.text
    decided = client.post(
        "/authorize?" + urlencode(req.params()), data={"csrf_token": csrf_token(page.text), "decision": "allow"}
    )
    assert decided.status_code == 303 and "code" in query_of(decided.headers["Location"])


def _outcome(resp: Any) -> tuple[str, str]:
    """("redirect", error) for an error sent back to the client, ("page", status) for one shown here."""
    if resp.status_code in (302, 303):
        return "redirect", query_of(resp.headers["Location"]).get("error", "")
    assert "Location" not in resp.headers
    return "page", str(resp.status_code)


def test_a_posted_request_gets_the_same_checks_as_a_get(client: Any) -> None:
    params = _req().params()
    hostile: list[list[tuple[str, str]]] = [
        list(AuthRequest(client_id="nobody", redirect_uri=RP_REDIRECT).params().items()),
        list(AuthRequest(client_id="egisz-demo", redirect_uri="https://evil.example/cb").params().items()),
        [*params.items(), ("scope", "openid medcard.cu")],  # a repeated parameter
        [*params.items(), ("prompt", "none"), ("prompt", "none")],
        [(k, v) for k, v in params.items() if not k.startswith("code_challenge")],
        [*params.items(), ("prompt", "none")],
        [*params.items(), ("response_mode", "fragment")],
        [(k, "openid admin" if k == "scope" else v) for k, v in params.items()],
    ]
    outcomes = []
    for body in hostile:
        posted, got = _post(client, body), client.get("/authorize?" + urlencode(body))
        assert _outcome(posted) == _outcome(got), body
        assert posted.status_code != 303 or "code" not in query_of(posted.headers["Location"]), body
        outcomes.append(_outcome(posted))
    assert outcomes[0] == ("page", "400") and outcomes[1] == ("page", "400")
    assert outcomes[4] == ("redirect", "invalid_request") and outcomes[5] == ("redirect", "login_required")


def test_a_cross_site_post_with_a_decision_in_the_body_grants_nothing(client: Any, personas: dict[str, Any]) -> None:
    """Without our CSRF token a POST is only ever a request: ``decision=allow`` in its body is not a
    consent, and a POST to the consent URL (with a query) still needs the token."""
    authorize_code(client, _req(), personas["patient_moscow"])
    req = AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT, scope="openid snils")
    forged = _post(client, {**req.params(), "decision": "allow"})
    assert forged.status_code == 200 and 'name="decision"' in forged.text and "Location" not in forged.headers
    to_consent_url = client.post("/authorize?" + req.query(), data={"decision": "allow"})
    assert to_consent_url.status_code == 403 and "Location" not in to_consent_url.headers
    assert client.get("/authorize?" + req.query()).status_code == 200  # still not allowed


def test_ui_locales_of_a_posted_request_choose_the_login_language(client: Any) -> None:
    assert _post(client, _req(ui_locales="en").params()).status_code == 303
    assert '<html lang="en"' in client.get("/login").text
