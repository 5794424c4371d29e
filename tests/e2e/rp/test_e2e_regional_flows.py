"""The demo EGISZ service's rules end to end: both applications under gunicorn, the person
signing in at the real IdP with password and SMS code, every step over HTTP.

Moscow's first login, the Dagestan doctor refused, the Urals consent, a view-scope token refused
on write, the step-up for an edit, and a DPoP-bound token.
"""

from __future__ import annotations

import base64
import re
import shutil
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from joserfc.jwk import ECKey

from relying_party_demo.introspection import IntrospectionVerifier
from relying_party_demo.settings import ClientCredentials
from relying_party_demo.testing import dpop_proof
from tests.e2e.rp.flows import Persona, access_token, at_idp, first_card, post_form, sign_in
from tests.support.e2e_stack import Stack
from tests.support.oidc_client import csrf_token
from tests.support.servers import DEMO_CLIENT_ID, HTTP_TIMEOUT

pytestmark = pytest.mark.e2e

STRONG = "urn:gosid:acr:strong"


def test_moscow_first_login_asks_for_the_oms_policy_then_login_alone_is_enough(
    stack: Stack, personas: dict[str, Persona]
) -> None:
    person = personas["patient_moscow"]
    browser, landed = sign_in(stack, person)
    assert urlsplit(landed.url).path == "/onboarding"
    assert f"Использовать полис ОМС из Госуслуг: {person['oms_policy']}" in landed.text  # the medical_doc claim
    assert browser.get(f"{stack.rp_url}/card", timeout=HTTP_TIMEOUT).status_code == 403
    done = post_form(browser, landed, "/onboarding/documents", requirement_id="msk_spb_first_login_documents",
                     use_claim="yes", confirm_right="yes")  # fmt: skip
    assert "Больше ничего не нужно" in done.text
    card = browser.get(f"{stack.rp_url}/card", timeout=HTTP_TIMEOUT)
    assert card.status_code == 200, card.text[:500]
    assert "Медицинская карта: Иванова Мария Сергеевна" in card.text

    _, again = sign_in(stack, person)
    assert urlsplit(again.url).path == "/profile"  # the Gosuslugi login alone is enough now


def test_dagestan_doctor_without_certificate_is_refused_with_regional_support(
    stack: Stack, personas: dict[str, Persona]
) -> None:
    browser, _ = sign_in(stack, personas["doctor_dagestan"])
    refused = browser.get(f"{stack.rp_url}/patients", timeout=HTTP_TIMEOUT)
    assert refused.status_code == 403
    for shown in ("05 — Республика Дагестан", "regional_doctor_certificate_missing",
                  "Минздрав республики", "+7 800 000-05-05, support05@egisz.example"):  # fmt: skip
        assert shown in refused.text, shown

    certified, _ = sign_in(stack, personas["doctor_dagestan_certified"])
    patients = certified.get(f"{stack.rp_url}/patients", timeout=HTTP_TIMEOUT)
    assert patients.status_code == 200 and "Абдуллаева Зарема Камиловна" in patients.text


def test_urals_consent_is_asked_at_login_recorded_and_revocable(stack: Stack, personas: dict[str, Persona]) -> None:
    browser, landed = sign_in(stack, personas["patient_sverdlovsk"])
    assert urlsplit(landed.url).path == "/onboarding"
    assert browser.get(f"{stack.rp_url}/card", timeout=HTTP_TIMEOUT).status_code == 403
    post_form(browser, landed, "/onboarding/consent", requirement_id="ufd_sibfd_data_transfer_consent", agree="yes")
    assert browser.get(f"{stack.rp_url}/card", timeout=HTTP_TIMEOUT).status_code == 200

    consents = browser.get(f"{stack.rp_url}/consents", timeout=HTTP_TIMEOUT)
    revoke = consents.text.split('action="/consents/')[1].split('"')[0]
    post_form(browser, consents, f"/consents/{revoke}")
    refused = browser.get(f"{stack.rp_url}/card", timeout=HTTP_TIMEOUT)
    assert refused.status_code == 403
    assert "data_transfer_consent_required" in refused.text and "66 — Свердловская область" in refused.text


def test_view_scope_token_is_refused_on_write(stack: Stack, personas: dict[str, Persona]) -> None:
    doctor = personas["doctor_moscow"]
    token = access_token(stack, doctor, "openid snils region roles medcard.rs")
    headers = {"Authorization": f"Bearer {token}"}
    patients = requests.get(f"{stack.rp_url}/api/patients", headers=headers, timeout=HTTP_TIMEOUT)
    assert patients.status_code == 200, patients.text
    card = patients.json()["patients"][0]["card_id"]
    entry = {"kind": "note", "text": "попытка записи с правом только на просмотр"}
    write = requests.post(f"{stack.rp_url}/api/cards/{card}/entries", json=entry, headers=headers, timeout=HTTP_TIMEOUT)
    assert write.status_code == 403
    assert write.json()["error"] == "insufficient_scope"
    assert write.headers["WWW-Authenticate"] == 'Bearer error="insufficient_scope", scope="medcard.cu"'

    # The same token, validated by the IdP's RFC 7662 introspection instead of the JWKS.
    verifier = IntrospectionVerifier(
        issuer=stack.idp_url,
        audience=DEMO_CLIENT_ID,
        endpoint=lambda: str(stack.discovery()["introspection_endpoint"]),
        credentials=lambda: ClientCredentials(stack.idp.client_id, stack.idp.client_secret),
    )
    introspected = verifier.verify(token)
    assert (introspected.subject, introspected.roles) == (str(doctor["oid"]), ("doctor",))
    assert introspected.organization_oid == doctor["organization_oid"]


def test_step_up_for_an_edit(stack: Stack, personas: dict[str, Persona]) -> None:
    doctor = personas["doctor_moscow"]
    browser, _ = sign_in(stack, doctor)
    card = first_card(browser.get(f"{stack.rp_url}/patients", timeout=HTTP_TIMEOUT))
    elevated = browser.get(f"{stack.rp_url}/auth/elevate", params={"next": card}, timeout=HTTP_TIMEOUT)
    page = at_idp(stack, browser, elevated, doctor)  # consent to medcard.cu
    assert urlsplit(page.url).path == card
    assert STRONG in page.text and "/auth/step-up" in page.text

    start = browser.get(f"{stack.rp_url}/auth/step-up", params={"next": card}, timeout=HTTP_TIMEOUT)
    asked = next(r for r in start.history if r.url.startswith(f"{stack.idp_url}/authorize"))
    query = parse_qs(urlsplit(asked.url).query)
    assert query["acr_values"] == [STRONG] and query["prompt"] == ["login"]
    answer = at_idp(stack, browser, start, doctor)  # a fresh login: password and SMS code again
    assert answer.status_code == 403  # SMS cannot reach the strong level: the RP says so
    assert "Для этого изменения нужен более надёжный вход" in answer.text and STRONG in answer.text

    api_token = access_token(stack, doctor, "openid snils region roles medcard.rs medcard.cu")
    entry = {"kind": "note", "text": "запись без усиленного входа"}
    headers = {"Authorization": f"Bearer {api_token}"}
    card_id = card.rsplit("/", 1)[1]
    write = requests.post(f"{stack.rp_url}/api/cards/{card_id}/entries", json=entry, headers=headers,
                          timeout=HTTP_TIMEOUT)  # fmt: skip
    assert write.status_code == 401
    assert write.json()["reason"] == "step_up_required"
    assert f'acr_values="{STRONG}"' in write.headers["WWW-Authenticate"]


def test_dpop_bound_token_from_the_idp_is_accepted_with_its_proof(stack: Stack, personas: dict[str, Persona]) -> None:
    key = ECKey.generate_key("P-256", private=True)
    token = access_token(stack, personas["doctor_dagestan_certified"], "openid snils region roles medcard.rs",
                         dpop_key=key)  # fmt: skip
    url = f"{stack.rp_url}/api/patients"
    as_bearer = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=HTTP_TIMEOUT)
    assert as_bearer.status_code == 401  # bound to the key: the bearer scheme is not enough
    headers = {"Authorization": f"DPoP {token}", "DPoP": dpop_proof(key, "GET", url, token)}
    answer = requests.get(url, headers=headers, timeout=HTTP_TIMEOUT)
    assert answer.status_code == 200, answer.text
    assert [p["name"] for p in answer.json()["patients"]] == ["Абдуллаева Зарема Камиловна"]
    replay = requests.get(url, headers=headers, timeout=HTTP_TIMEOUT)
    assert replay.status_code == 401 and replay.json()["error"] == "invalid_dpop_proof"


def test_step_up_with_a_qualified_signature_lets_the_doctor_edit(stack: Stack, personas: dict[str, Persona]) -> None:
    """The strong level is reachable at the IdP with a qualified electronic signature: the doctor
    steps up with one and then adds an entry; the change log names the token's jti."""
    from simulators import test_ca
    from simulators.qes_signer import sign_file

    qes = test_ca.ensure(stack.idp.root / "keys", list(personas.values()))  # as `gosid run` does in dev
    try:
        _step_up_with_signature(stack, personas, qes, sign_file)
    finally:
        # The stack is shared: without the CA the signature factor is unavailable again, so
        # tests after this one see the same IdP as tests before it.
        shutil.rmtree(qes, ignore_errors=True)


def _step_up_with_signature(stack: Stack, personas: dict[str, Persona], qes: Any, sign_file: Any) -> None:
    doctor = personas["doctor_moscow"]
    browser, _ = sign_in(stack, doctor)
    card = first_card(browser.get(f"{stack.rp_url}/patients", timeout=HTTP_TIMEOUT))
    at_idp(stack, browser, browser.get(f"{stack.rp_url}/auth/elevate", timeout=HTTP_TIMEOUT), doctor)
    login = browser.get(f"{stack.rp_url}/auth/step-up", params={"next": card}, timeout=HTTP_TIMEOUT)
    assert login.url.split("?")[0] == f"{stack.idp_url}/login", login.url

    page = browser.get(f"{stack.idp_url}/login/passwordless/signature", timeout=HTTP_TIMEOUT)
    challenge = re.search(r'id="qes-challenge">([^<]+)<', page.text)
    assert challenge, page.text[:500]
    signed = base64.b64encode(sign_file(qes / "doctor_moscow.p12", "gosid-qes", challenge.group(1).encode()))
    back = browser.post(f"{stack.idp_url}/login/passwordless/signature", timeout=HTTP_TIMEOUT,
                        data={"csrf_token": csrf_token(page.text), "response": signed.decode()})  # fmt: skip
    back = at_idp(stack, browser, back, doctor)
    assert urlsplit(back.url).path == card, f"{back.status_code} at {back.url}: {back.text[:300]}"
    assert f'action="{card}/entries"' in back.text  # the strong login may edit

    saved = post_form(browser, back, f"{card}/entries", kind="note", text="Осмотр после усиленного входа")
    assert saved.status_code == 200 and "Осмотр после усиленного входа" in saved.text
    assert "Добавлена запись" in saved.text
