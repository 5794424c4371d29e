"""Login by redirect against the loopback IdP: PKCE, nonce, state, iss, and the pages after it."""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from relying_party_demo import create_app
from relying_party_demo.appointments.models import Slot
from relying_party_demo.clock import FrozenClock
from relying_party_demo.models import LoginSession, db
from relying_party_demo.settings import load_rp_settings
from relying_party_demo.testing import FakeIdp, csrf_token_from
from tests.support.rp import at_every_moscow_hour

PATIENT_OID = "1000300101"  # patient_moscow, here registered in region 50 (no regional steps)
USERINFO = {
    "family_name": "Иванова",
    "given_name": "Мария",
    "middle_name": "Сергеевна",
    "birthdate": "1985-03-14",
    "snils": "15821463061",
    "oms_policy": "7753890412675318",
    "account_level": "confirmed",
    "region": "50",
    "roles": ["patient"],
}
ACCESS_CLAIMS = {"roles": ["patient"], "region": "50"}
EXPECTED_SCOPES = [
    "openid",
    "offline_access",
    "profile",
    "email",
    "phone",
    "snils",
    "medical_doc",
    "region",
    "roles",
    "medcard.rs",
]


def start_login(client: FlaskClient, path: str = "/auth/login") -> dict[str, str]:
    response = client.get(path)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    return {"endpoint": f"{location.scheme}://{location.netloc}{location.path}", **query}


def finish_login(
    client: FlaskClient, idp: FakeIdp, request: dict[str, str], sub: str = PATIENT_OID, **grant: Any
) -> Any:
    grant.setdefault("userinfo", USERINFO)
    grant.setdefault("access_token_overrides", ACCESS_CLAIMS)
    code = idp.approve(idp.grant_for(request, sub, **grant))
    return client.get("/auth/callback", query_string={"code": code, "state": request["state"], "iss": idp.issuer})


def login(client: FlaskClient, idp: FakeIdp, path: str = "/auth/login", **grant: Any) -> Any:
    response = finish_login(client, idp, start_login(client, path), **grant)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response


def test_authorization_request_uses_pkce_s256_nonce_and_state(client: FlaskClient, idp: FakeIdp) -> None:
    request = start_login(client)
    assert request["endpoint"] == f"{idp.issuer}/authorize"
    assert request["response_type"] == "code"
    assert request["client_id"] == "egisz-demo"
    assert request["redirect_uri"] == "http://localhost:8001/auth/callback"
    assert request["scope"].split() == EXPECTED_SCOPES
    assert request["code_challenge_method"] == "S256"
    assert len(request["code_challenge"]) == 43
    assert len(request["nonce"]) >= 20
    assert len(request["state"]) >= 20
    assert request["ui_locales"] == "ru"


def test_login_shows_the_persons_data(client: FlaskClient, idp: FakeIdp) -> None:
    response = finish_login(client, idp, start_login(client))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/profile")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    html = client.get("/profile").get_data(as_text=True)
    for shown in ("Иванова Мария Сергеевна", "14.03.1985", "158-214-630 61", "7753890412675318"):
        assert shown in html
    assert "Пациент" in html


def test_login_returns_to_the_page_it_started_from(client: FlaskClient, idp: FakeIdp) -> None:
    response = finish_login(client, idp, start_login(client, "/auth/login?next=/inbox"))
    assert response.headers["Location"] == "/inbox"
    response = finish_login(client, idp, start_login(client, "/auth/login?next=//evil.example/x"))
    assert response.headers["Location"] == "/profile"


def test_card_page_shows_the_seeded_card_read_only(client: FlaskClient, idp: FakeIdp) -> None:
    login(client, idp)
    html = client.get("/card", follow_redirects=True).get_data(as_text=True)
    assert "Медицинская карта: Иванова Мария Сергеевна" in html
    assert "J06.9" in html and "Парацетамол 500 мг" in html
    assert "Записи вносят врачи вашей медицинской организации." in html
    assert "/entries" not in html


def earliest_start(app: Flask, slot_ids: list[str]) -> datetime:
    with app.app_context():
        return min(db.session.get(Slot, int(n)).starts_at for n in slot_ids)  # type: ignore[union-attr]


@at_every_moscow_hour
def test_edit_rights_add_the_cu_scope_and_allow_booking(
    client: FlaskClient, idp: FakeIdp, app: Flask, rp_clock: FrozenClock
) -> None:
    login(client, idp)
    assert "запросите права на изменение" in client.get("/schedules").get_data(as_text=True)
    refused = client.post("/slots/1/book", data={"csrf_token": csrf_token_from(client.get("/profile").text)})
    assert refused.status_code == 403
    assert "insufficient_scope" in refused.text
    assert "/auth/elevate" in refused.text
    elevated = start_login(client, "/auth/elevate?next=/schedules")
    assert "medcard.cu" in elevated["scope"].split()
    response = finish_login(client, idp, elevated, access_token_overrides=ACCESS_CLAIMS)
    assert response.headers["Location"] == "/schedules"
    html = client.get("/schedules").get_data(as_text=True)
    slot = re.search(r'action="/slots/(\d+)/book"', html)
    assert slot, "no bookable slot on the schedules page"
    assert earliest_start(app, re.findall(r'action="/slots/(\d+)/book"', html)) > rp_clock.now()  # none past
    booked = client.post(f"/slots/{slot.group(1)}/book", data={"csrf_token": csrf_token_from(html)})
    assert booked.headers["Location"] == "/appointments"
    assert "Вы записаны на приём." in client.get("/appointments").get_data(as_text=True)


def bookable_slots(client: FlaskClient, idp: FakeIdp) -> tuple[list[int], str]:
    """Log in with edit rights; the slots the schedules page offers to book, and its CSRF token."""
    login(client, idp)
    login(client, idp, "/auth/elevate")
    html = client.get("/schedules").get_data(as_text=True)
    return [int(n) for n in re.findall(r'action="/slots/(\d+)/book"', html)], csrf_token_from(html)


def book_on_the_page(client: FlaskClient, slot: int, csrf: str, lang: str = "ru") -> str:
    """Book through the form; the text of the page the browser lands on."""
    client.get(f"/?lang={lang}")
    booked = client.post(f"/slots/{slot}/book", data={"csrf_token": csrf})
    assert booked.status_code == 303
    return client.get(booked.headers["Location"]).get_data(as_text=True)


def test_a_slot_whose_time_came_while_the_page_was_open_is_refused_in_russian(
    client: FlaskClient, idp: FakeIdp, app: Flask, rp_clock: FrozenClock
) -> None:
    slots, csrf = bookable_slots(client, idp)
    with app.app_context():
        rp_clock.set(db.session.get(Slot, slots[0]).starts_at)  # type: ignore[union-attr]
    page = book_on_the_page(client, slots[0], csrf)
    assert "Это время уже прошло. Выберите более позднее время в расписании." in page
    assert "занято" not in page and "passed" not in page
    english = book_on_the_page(client, slots[0], csrf, lang="en")
    assert "This time has already passed. Choose a later time in the schedule." in english


def test_booking_over_the_limit_names_the_limit_in_russian(client: FlaskClient, idp: FakeIdp) -> None:
    slots, csrf = bookable_slots(client, idp)  # she has the seeded visit tomorrow; the limit is 3
    for slot in slots[:2]:
        assert "Вы записаны на приём." in book_on_the_page(client, slot, csrf)
    page = book_on_the_page(client, slots[2], csrf)
    assert (
        "Достигнут предел предстоящих записей в одну медицинскую организацию: 3. "
        "Отмените одну из них, чтобы записаться на другое время." in page
    )
    english = book_on_the_page(client, slots[2], csrf, lang="en")
    assert "limit of upcoming appointments in one medical organization: 3." in english


def test_forms_need_csrf(client: FlaskClient, idp: FakeIdp) -> None:
    login(client, idp)
    login(client, idp, "/auth/elevate")  # has edit rights: only the CSRF token is missing
    response = client.post("/slots/1/book")
    assert response.status_code == 400
    assert "RP-109" in response.get_data(as_text=True)


def test_elevate_needs_a_login(client: FlaskClient) -> None:
    assert client.get("/auth/elevate").status_code == 401


@pytest.mark.parametrize("iss", ["http://evil.example", ""])
def test_wrong_iss_in_the_response_is_refused(client: FlaskClient, idp: FakeIdp, iss: str) -> None:
    request = start_login(client)
    code = idp.approve(idp.grant_for(request, PATIENT_OID))
    response = client.get("/auth/callback", query_string={"code": code, "state": request["state"], "iss": iss})
    assert response.status_code == 400
    assert "RP-104" in response.get_data(as_text=True)
    assert idp.requests["/token"] == 0  # refused before the code was redeemed
    assert client.get("/profile").status_code == 401


def test_missing_iss_is_refused_when_the_idp_sends_it(client: FlaskClient, idp: FakeIdp) -> None:
    request = start_login(client)
    code = idp.approve(idp.grant_for(request, PATIENT_OID))
    response = client.get("/auth/callback", query_string={"code": code, "state": request["state"]})
    assert response.status_code == 400
    assert "RP-104" in response.get_data(as_text=True)


def test_replayed_callback_is_refused(client: FlaskClient, idp: FakeIdp) -> None:
    request = start_login(client)
    code = idp.approve(idp.grant_for(request, PATIENT_OID, userinfo=USERINFO))
    query = {"code": code, "state": request["state"], "iss": idp.issuer}
    assert client.get("/auth/callback", query_string=query).status_code == 303
    replay = client.get("/auth/callback", query_string=query)
    assert replay.status_code == 400
    assert "RP-105" in replay.get_data(as_text=True)


def test_foreign_state_is_refused(client: FlaskClient, idp: FakeIdp) -> None:
    start_login(client)
    response = client.get("/auth/callback", query_string={"code": "c", "state": "forged", "iss": idp.issuer})
    assert response.status_code == 400
    assert "RP-105" in response.get_data(as_text=True)


def test_nonce_mismatch_in_id_token_is_refused(client: FlaskClient, idp: FakeIdp) -> None:
    response = finish_login(client, idp, start_login(client), id_token_overrides={"nonce": "someone-elses"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "RP-106" in html
    assert "nonce" in html
    assert client.get("/profile").status_code == 401


def test_idp_error_response_is_shown(client: FlaskClient, idp: FakeIdp) -> None:
    request = start_login(client)
    response = client.get(
        "/auth/callback",
        query_string={"error": "access_denied", "state": request["state"], "iss": idp.issuer},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "RP-103" in html
    assert "access_denied" in html


def test_logout_ends_the_session_and_goes_to_the_idp(client: FlaskClient, idp: FakeIdp) -> None:
    login(client, idp)
    token = csrf_token_from(client.get("/profile").get_data(as_text=True))
    response = client.post("/auth/logout", data={"csrf_token": token})
    assert response.status_code == 303
    target = urlsplit(response.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{idp.issuer}/logout"
    params = parse_qs(target.query)
    assert params["post_logout_redirect_uri"] == ["http://localhost:8001/"]
    assert params["client_id"] == ["egisz-demo"]
    assert params["id_token_hint"][0].count(".") == 2
    assert client.get("/profile").status_code == 401


def test_logout_goes_home_without_an_end_session_endpoint(client: FlaskClient, idp: FakeIdp) -> None:
    idp.end_session_supported = False
    login(client, idp)
    token = csrf_token_from(client.get("/profile").get_data(as_text=True))
    response = client.post("/auth/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert client.get("/profile").status_code == 401


def test_code_refused_by_the_token_endpoint_is_shown(client: FlaskClient, idp: FakeIdp) -> None:
    request = start_login(client)
    query = {"code": "never-issued", "state": request["state"], "iss": idp.issuer}
    response = client.get("/auth/callback", query_string=query)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "RP-103" in html
    assert "invalid_grant" in html


def test_wrong_client_secret_is_shown(settings_overrides: dict[str, Any], idp: FakeIdp, rp_clock: FrozenClock) -> None:
    overrides = {**settings_overrides, "client_secret": "not-the-secret"}
    client = create_app(load_rp_settings(overrides=overrides, environ={}), clock=rp_clock).test_client()
    response = finish_login(client, idp, start_login(client))
    assert response.status_code == 400
    assert "invalid_client" in response.get_data(as_text=True)


def test_card_page_with_an_expired_access_token_asks_to_sign_in_again(
    client: FlaskClient, idp: FakeIdp, app: Flask
) -> None:
    login(client, idp)
    now = int(time.time())
    expired = idp.access_token(PATIENT_OID, "medcard.rs", iat=now - 900, exp=now - 300)
    with app.app_context():
        db.session.execute(update(LoginSession).values(access_token=expired))
        db.session.commit()
    response = client.get("/card")
    assert response.status_code == 401
    assert "RP-108" in response.get_data(as_text=True)
    assert client.get("/profile").status_code == 200  # the identity data is still shown
