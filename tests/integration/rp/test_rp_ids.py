"""Ids in paths and query strings that no database column can hold (a 20-digit card id overflows
SQLite's and PostgreSQL's integers) are answered like any unknown id: the endpoint's own 404 (or
400 for a query parameter), never a 5xx."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from relying_party_demo.ids import MAX_ID
from relying_party_demo.testing import FakeIdp, csrf_token_from
from tests.integration.rp.helpers import browser_login
from tests.support.rp import BOTH, CU, Persona, TokenFactory

pytestmark = pytest.mark.parametrize("rp_backend", BOTH, indirect=True)

HUGE = ["99999999999999999999", str(MAX_ID + 1), "1" + "0" * 400]
API_ROUTES = [
    ("GET", "/api/cards/{id}"),
    ("GET", "/api/cards/{id}/changes"),
    ("POST", "/api/cards/{id}/entries"),
    ("DELETE", "/api/slots/{id}"),
    ("POST", "/api/slots/{id}/appointment"),
    ("GET", "/api/appointments/{id}"),
    ("POST", "/api/appointments/{id}/cancellation"),
    ("POST", "/api/appointments/{id}/attendance"),
]
PAGE_ROUTES = [
    ("GET", "/cards/{id}"),
    ("POST", "/cards/{id}/entries"),
    ("POST", "/slots/{id}/book"),
    ("POST", "/slots/{id}/withdraw"),
    ("POST", "/appointments/{id}/cancel"),
    ("POST", "/appointments/{id}/attendance"),
    ("POST", "/consents/{id}/revoke"),
]


@pytest.mark.parametrize("huge", HUGE)
@pytest.mark.parametrize(("method", "route"), API_ROUTES)
def test_api_answers_an_impossible_id_with_its_json_404(
    client: FlaskClient, token_for: TokenFactory, method: str, route: str, huge: str
) -> None:
    token = token_for("doctor_moscow", f"medcard.rs {CU}")
    response = client.open(route.format(id=huge), method=method, headers={"Authorization": f"Bearer {token}"}, json={})
    assert response.status_code == 404, response.get_data(as_text=True)
    assert response.get_json()["error"] == "not_found"


def test_an_impossible_card_id_is_answered_like_a_missing_card(client: FlaskClient, token_for: TokenFactory) -> None:
    headers = {"Authorization": f"Bearer {token_for('doctor_moscow')}"}
    missing = client.get(f"/api/cards/{MAX_ID}", headers=headers)
    impossible = client.get("/api/cards/99999999999999999999", headers=headers)
    assert missing.status_code == impossible.status_code == 404
    assert missing.get_json()["error"] == impossible.get_json()["error"] == "not_found"


@pytest.mark.parametrize("huge", HUGE[:2])
@pytest.mark.parametrize(("method", "route"), PAGE_ROUTES)
def test_pages_answer_an_impossible_id_with_the_404_page(
    client: FlaskClient, idp: FakeIdp, personas: dict[str, Persona], method: str, route: str, huge: str
) -> None:
    browser_login(client, idp, personas["doctor_moscow"])
    token = csrf_token_from(client.get("/profile").get_data(as_text=True))
    response = client.open(route.format(id=huge), method=method, data={"csrf_token": token})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Страница не найдена" in html and "RP-404" in html


@pytest.mark.parametrize("huge", HUGE[:2])
def test_an_impossible_doctor_in_the_query_is_a_400_on_the_field(
    client: FlaskClient, token_for: TokenFactory, huge: str
) -> None:
    token = token_for("patient_moscow")
    response = client.get(f"/api/schedules?doctor={huge}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400
    assert response.get_json() == {
        "error": "invalid_request",
        "error_description": f"doctor: must be a whole number from 0 to {MAX_ID}",
        "field": "doctor",
    }
