"""Every way a signed ESIA request can be wrong is refused with ESIA's code, the state, and
(in dev mode) a diagnostics report saying what was expected and what was received."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.integration.esia.esia_flow import EsiaSystem, ac_url, authorize, sign_in
from tests.unit.esia.signers import RsaSigner, b64url


def _redirect_error(resp: Any) -> dict[str, str]:
    assert resp.status_code == 302, resp.text
    return {k: v[0] for k, v in parse_qs(urlsplit(resp.headers["Location"]).query).items()}


def _diagnostics(client: Any, error_uri: str) -> dict[str, Any]:
    resp = client.get(urlsplit(error_uri).path + ".json")
    assert resp.status_code == 200
    data: dict[str, Any] = resp.get_json()
    return data


def test_wrong_signature_string_on_v1(client: Any, rsa_system: EsiaSystem) -> None:
    params = rsa_system.ac_v1()
    other = rsa_system.ac_v1(state=params["state"], scope="openid snils")  # signed over another scope
    params["client_secret"] = other["client_secret"]
    error = _redirect_error(client.get(ac_url("/aas/oauth2/ac", params)))
    assert error["error"] == "invalid_client" and error["error_description"].startswith("ESIA-007053")
    assert error["state"] == params["state"]
    report = _diagnostics(client, error["error_uri"])
    secret = report["client_secret"]
    expected = params["scope"] + params["timestamp"] + params["client_id"] + params["state"]
    assert expected in secret["strings_tried"].values()
    assert secret["format"].startswith("CMS SignedData") and "sha256" in secret["algorithm"]
    assert secret["closest_convention"]["name"] == "v1-cms"
    assert {"sha256", "gost_r_34_11_2012_256"} <= set(secret["certificates_tried"][0])
    assert report["received"]["client_secret"].startswith("<")  # never the whole secret


def test_signed_with_another_certificate(client: Any, rsa_system: EsiaSystem) -> None:
    rsa_system.signer = RsaSigner.create("not registered")
    error = _redirect_error(client.get(ac_url("/aas/oauth2/ac", rsa_system.ac_v1())))
    assert error["error_description"].startswith("ESIA-007053")
    assert _diagnostics(client, error["error_uri"])["client_secret"]["cms_names_registered_certificate"] is False


def test_unknown_certificate_hash(client: Any, gost_system: EsiaSystem) -> None:
    params = gost_system.ac_v2(client_certificate_hash="ab" * 32)
    error = _redirect_error(client.get(ac_url("/aas/oauth2/v2/ac", params)))
    assert error["error_description"].startswith("ESIA-007002") and error["state"] == params["state"]
    report = _diagnostics(client, error["error_uri"])
    registered = report["certificate"]["registered"][0]
    assert registered["gost_r_34_11_2012_256"] == gost_system.cert_hash and len(registered["sha256"]) == 64


def test_sha256_certificate_hash_lenient_not_strict(client: Any, gost_system: EsiaSystem, strict_app: Any) -> None:
    import hashlib

    gost_system.cert_hash = hashlib.sha256(gost_system.signer.cert_der).hexdigest()
    error = _redirect_error(client.get(ac_url("/aas/oauth2/v2/ac", gost_system.ac_v2())))
    assert error["error_description"].startswith("ESIA-007002")  # strict: only the GOST hash


def test_tampered_raw_gost_signature(client: Any, gost_system: EsiaSystem) -> None:
    params = gost_system.ac_v2()
    raw = bytearray(gost_system.signer.raw(params["client_id"] + "x"))
    params["client_secret"] = b64url(bytes(raw))
    error = _redirect_error(client.get(ac_url("/aas/oauth2/v2/ac", params)))
    assert error["error_description"].startswith("ESIA-007053")
    secret = _diagnostics(client, error["error_uri"])["client_secret"]
    assert secret["format"] == "raw, 64 bytes: GOST R 34.10-2012-256"
    assert secret["closest_convention"]["name"] == "v2-raw"


@pytest.mark.parametrize("shift", [timedelta(minutes=-30), timedelta(minutes=30)])
def test_timestamp_outside_the_window(client: Any, rsa_system: EsiaSystem, shift: timedelta) -> None:
    params = rsa_system.ac_v1(shift=shift)
    error = _redirect_error(client.get(ac_url("/aas/oauth2/ac", params)))
    assert error["error_description"].startswith("ESIA-007015") and error["state"] == params["state"]
    skew = _diagnostics(client, error["error_uri"])["timestamp"]["skew_seconds"]
    assert abs(skew - shift.total_seconds()) < 60


def test_malformed_timestamp(client: Any, rsa_system: EsiaSystem) -> None:
    error = _redirect_error(client.get(ac_url("/aas/oauth2/ac", rsa_system.ac_v1(timestamp="26.11.2026 10:00"))))
    assert error["error_description"].startswith("ESIA-007015")


def test_reused_state_at_authorization(client: Any, rsa_system: EsiaSystem, personas: dict[str, Any]) -> None:
    params = rsa_system.ac_v1()
    authorize(client, ac_url("/aas/oauth2/ac", params), personas["patient_moscow"])
    replay = rsa_system.ac_v1(state=params["state"])  # freshly signed, same state
    error = _redirect_error(client.get(ac_url("/aas/oauth2/ac", replay)))
    assert error["error_description"].startswith("ESIA-007003") and error["state"] == params["state"]


def test_reused_state_at_token_endpoint(client: Any, rsa_system: EsiaSystem, personas: dict[str, Any]) -> None:
    first = authorize(client, ac_url("/aas/oauth2/ac", rsa_system.ac_v1()), personas["patient_moscow"])
    state = str(uuid.uuid4())
    assert client.post("/aas/oauth2/te", data=rsa_system.te_v1(first["code"], state=state)).status_code == 200
    second = client.get(ac_url("/aas/oauth2/ac", rsa_system.ac_v1()))
    code = parse_qs(urlsplit(second.headers["Location"]).query)["code"][0]
    resp = client.post("/aas/oauth2/te", data=rsa_system.te_v1(code, state=state))
    body = resp.get_json()
    assert resp.status_code == 400 and body["error_description"].startswith("ESIA-007003") and body["state"] == state
    assert resp.headers["Content-Type"].startswith("application/json") and body["error_uri"]


def test_token_endpoint_wrong_secret_is_json_with_state(client: Any, gost_system: EsiaSystem) -> None:
    data = gost_system.te_v3("some-code", client_secret=b64url(b"\x01" * 64))
    resp = client.post("/aas/oauth2/v3/te", data=data)
    body = resp.get_json()
    assert resp.status_code == 400 and body["error"] == "invalid_client" and body["state"] == data["state"]
    assert body["error_description"].startswith("ESIA-007053")
    report = _diagnostics(client, body["error_uri"])
    strings = report["client_secret"]["strings_tried"]
    assert any(s.endswith(data["redirect_uri"] + "some-code") for s in strings.values())


def test_missing_parameter_and_unknown_scope(client: Any, rsa_system: EsiaSystem) -> None:
    params = rsa_system.ac_v1()
    del params["client_secret"]
    assert _redirect_error(client.get(ac_url("/aas/oauth2/ac", params)))["error_description"].startswith("ESIA-007014")
    error = _redirect_error(client.get(ac_url("/aas/oauth2/ac", rsa_system.ac_v1(scope="openid telepathy"))))
    assert error["error"] == "invalid_scope" and error["error_description"].startswith("ESIA-007006")


def test_unknown_system_and_unregistered_redirect_uri_get_a_page(client: Any, rsa_system: EsiaSystem) -> None:
    unknown = client.get(ac_url("/aas/oauth2/ac", rsa_system.ac_v1(client_id="NOBODY")))
    assert unknown.status_code == 401 and "ESIA-008010" in unknown.text and "/esia/diagnostics/" in unknown.text
    evil = client.get(ac_url("/aas/oauth2/ac", rsa_system.ac_v1(redirect_uri="https://evil.example/cb")))
    assert evil.status_code == 400 and "ESIA-007023" in evil.text and "Location" not in evil.headers


def test_repeated_parameter_is_refused(client: Any, rsa_system: EsiaSystem) -> None:
    params = rsa_system.ac_v1()
    resp = client.get(ac_url("/aas/oauth2/ac", params) + "&client_id=EGISZ_RSA")
    assert resp.status_code == 400 and "ESIA-007003" in resp.text


def test_unconfirmed_account_refused_with_person_filter(
    client: Any, rsa_system: EsiaSystem, personas: dict[str, Any]
) -> None:
    params = rsa_system.ac_v1(person_filter=b64url(b"conf_acc"))
    resp = sign_in(client, ac_url("/aas/oauth2/ac", params), personas["simplified_account"])
    error = _redirect_error(resp)
    assert error["error"] == "access_denied" and error["error_description"].startswith("ESIA-007055")
    assert error["state"] == params["state"]


def test_denied_consent(client: Any, rsa_system: EsiaSystem, personas: dict[str, Any]) -> None:
    params = rsa_system.ac_v1()
    back = authorize(client, ac_url("/aas/oauth2/ac", params), personas["patient_moscow"], allow=False)
    assert back["error"] == "access_denied" and back["error_description"].startswith("ESIA-007004")
    assert back["state"] == params["state"]


def test_strict_mode_refuses_undocumented_conventions(client: Any, gost_system: EsiaSystem, strict_app: Any) -> None:
    params = gost_system.ac_v2()
    v1 = params["scope"] + params["timestamp"] + params["client_id"] + params["state"]
    params["client_secret"] = b64url(gost_system.signer.cms(v1))  # fr05t1k 3.x style, lenient only
    error = _redirect_error(client.get(ac_url("/aas/oauth2/v2/ac", params)))
    assert error["error_description"].startswith("ESIA-007053")
    assert _diagnostics(client, error["error_uri"])["client_secret"]["matched_but_not_documented"] == ["v1-cms-on-v2"]
    documented = gost_system.ac_v2()
    resp = client.get(ac_url("/aas/oauth2/v2/ac", documented))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login")


def test_lenient_mode_accepts_and_audits_the_convention(app: Any, client: Any, gost_system: EsiaSystem) -> None:
    from sqlalchemy import select

    from idp.audit.models import AuditEvent
    from idp.storage.db import db

    params = gost_system.ac_v2()
    v1 = params["scope"] + params["timestamp"] + params["client_id"] + params["state"]
    params["client_secret"] = b64url(gost_system.signer.cms(v1, attributes=False))
    resp = client.get(ac_url("/aas/oauth2/v2/ac", params))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login")
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "esia_authorization_request"))
        assert event is not None and event.detail["convention"] == "v1-cms-on-v2"


def test_diagnostics_name_the_esia_endpoint_and_the_system(client: Any, rsa_system: EsiaSystem) -> None:
    """Each refusal's report says which ESIA endpoint refused which system, whatever its shape."""
    redirected = _redirect_error(client.get(ac_url("/aas/oauth2/ac", rsa_system.ac_v1(scope="openid telepathy"))))
    token = client.post("/aas/oauth2/v3/te", data=rsa_system.te_v3("some-code")).get_json()
    page = client.get(ac_url("/aas/oauth2/v2/ac", rsa_system.ac_v1(client_id="NOBODY"))).text
    page_uri = "/esia/diagnostics/" + page.split("/esia/diagnostics/", 1)[1].split('"', 1)[0]
    reports = [_diagnostics(client, uri) for uri in (redirected["error_uri"], token["error_uri"], page_uri)]
    assert [(r["endpoint"], r["client_id"]) for r in reports] == [
        ("ac/v1", rsa_system.client_id),
        ("te/v3", rsa_system.client_id),
        ("ac/v2", "NOBODY"),
    ]
