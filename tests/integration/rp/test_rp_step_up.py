"""A doctor's edit in the browser: edit rights, the acr step-up at the IdP, and what the page
says when the IdP cannot reach the level edits need."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from relying_party_demo import create_app
from relying_party_demo.clock import FrozenClock
from relying_party_demo.medical.models import CardEntry
from relying_party_demo.settings import load_rp_settings
from relying_party_demo.testing import FakeIdp, csrf_token_from
from tests.integration.rp.helpers import browser_login, card_id, count, persona_claims, start_login
from tests.support.rp import Persona

STRONG, TWO_FA = "urn:gosid:acr:strong", "urn:gosid:acr:2fa"
KUZMIN = "20578912380"  # a patient of the doctor's polyclinic


def login_with_edit_rights(client: FlaskClient, idp: FakeIdp, doctor: Persona, **access: Any) -> None:
    browser_login(client, idp, doctor)
    response = browser_login(client, idp, doctor, "/auth/elevate", access=access)
    assert response.status_code == 303, response.get_data(as_text=True)


def test_card_page_offers_a_step_up_and_the_idp_is_asked_for_the_strong_acr(
    client: FlaskClient, idp: FakeIdp, app: Flask, personas: dict[str, Persona]
) -> None:
    login_with_edit_rights(client, idp, personas["doctor_moscow"])
    card = f"/cards/{card_id(app, KUZMIN)}"
    html = client.get(card).get_data(as_text=True)
    assert "Кузьмин Олег Викторович" in html
    assert f"уровень аутентификации {STRONG}" in html
    assert "/entries" not in html  # no entry form yet

    request = start_login(client, f"/auth/step-up?next={card}")
    assert request["acr_values"] == STRONG
    assert request["prompt"] == "login"
    assert "medcard.cu" in request["scope"].split()

    # The IdP signs the doctor in again but can only reach 2fa: the RP explains, changes nothing.
    doctor = personas["doctor_moscow"]
    code = idp.approve(idp.grant_for(request, str(doctor["oid"]), access_token_overrides=persona_claims(doctor)))
    answer = client.get("/auth/callback", query_string={"code": code, "state": request["state"], "iss": idp.issuer})
    assert answer.status_code == 403
    page = answer.get_data(as_text=True)
    assert "Для этого изменения нужен более надёжный вход" in page
    assert STRONG in page and TWO_FA in page
    assert "77 — Москва" in page and "step_up_required" in page and "support77@egisz.example" in page
    token = csrf_token_from(client.get(card).get_data(as_text=True))
    refused = client.post(f"{card}/entries", data={"kind": "note", "text": "x", "csrf_token": token})
    assert refused.status_code == 401
    assert "step_up_required" in refused.get_data(as_text=True)
    assert count(app, CardEntry, author_sub="1000300102") == 0


def test_after_a_successful_step_up_the_doctor_edits_and_returns_to_the_card(
    client: FlaskClient, idp: FakeIdp, app: Flask, personas: dict[str, Persona]
) -> None:
    doctor = personas["doctor_moscow"]
    login_with_edit_rights(client, idp, doctor)
    card = f"/cards/{card_id(app, KUZMIN)}"
    response = browser_login(client, idp, doctor, f"/auth/step-up?next={card}", access={"acr": STRONG})
    assert response.headers["Location"] == card
    html = client.get(card).get_data(as_text=True)
    assert 'action="/cards/' in html
    form = {"kind": "prescription", "text": "Коррекция терапии", "drug": "Амлодипин 5 мг", "dosage": "утром"}
    saved = client.post(f"{card}/entries", data={**form, "csrf_token": csrf_token_from(html)})
    assert saved.status_code == 303
    html = client.get(card).get_data(as_text=True)
    assert "Запись сохранена." in html and "Амлодипин 5 мг" in html
    assert "Добавлена запись" in html  # the change log on the card


def test_when_the_idp_does_not_offer_the_level_the_page_says_so_without_a_redirect(
    client: FlaskClient, idp: FakeIdp, personas: dict[str, Persona]
) -> None:
    idp.acr_values_supported = [TWO_FA]
    login_with_edit_rights(client, idp, personas["doctor_moscow"])
    response = client.get("/auth/step-up")
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "Система входа не предлагает такой уровень" in html and STRONG in html


def test_with_edit_acr_2fa_a_two_factor_doctor_edits_directly(
    idp: FakeIdp, app: Flask, personas: dict[str, Persona], settings_overrides: dict[str, Any], rp_clock: FrozenClock
) -> None:
    lenient = create_app(
        load_rp_settings(overrides={**settings_overrides, "edit_acr": TWO_FA}, environ={}), clock=rp_clock
    )
    client = lenient.test_client()
    login_with_edit_rights(client, idp, personas["doctor_moscow"])
    card = f"/cards/{card_id(app, KUZMIN)}"
    html = client.get(card).get_data(as_text=True)
    form = {"kind": "diagnosis", "icd10": "I10", "text": "Гипертензия, контроль", "csrf_token": csrf_token_from(html)}
    assert client.post(f"{card}/entries", data=form).status_code == 303
    assert count(app, CardEntry, author_sub="1000300102") == 1


def test_invalid_entry_in_the_form_is_explained(
    idp: FakeIdp, app: Flask, personas: dict[str, Persona], settings_overrides: dict[str, Any], rp_clock: FrozenClock
) -> None:
    client = create_app(
        load_rp_settings(overrides={**settings_overrides, "edit_acr": TWO_FA}, environ={}), clock=rp_clock
    ).test_client()
    login_with_edit_rights(client, idp, personas["doctor_moscow"])
    card = f"/cards/{card_id(app, KUZMIN)}"
    token = csrf_token_from(client.get(card).get_data(as_text=True))
    client.post(f"{card}/entries", data={"kind": "diagnosis", "text": "без кода", "csrf_token": token})
    assert "Запись не сохранена: icd10" in client.get(card).get_data(as_text=True)
