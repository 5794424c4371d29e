"""Gosuslugi app: number matching, approve/deny, polling, expiry, the simulator's JSON API."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.integration.factors.helpers import choose, password, start
from tests.support.oidc_client import csrf_token
from tests.support.present import present

NUMBER = re.compile(r'id="match-number">(\d+)<')


@pytest.fixture
def patient(app: Any, personas: dict) -> dict[str, Any]:
    from idp.factors.models import EnrolledFactor
    from idp.storage.db import db

    persona = personas["patient_moscow"]
    with app.app_context():
        db.session.add(EnrolledFactor(person_oid=persona["oid"], kind="app", label="Госуслуги"))
        db.session.commit()
    return persona


def _begin(client: Any, persona: dict) -> int:
    start(client)
    password(client, persona)
    assert choose(client, "app").headers["Location"].endswith("/login/app")
    page = client.get("/login/app")
    assert page.status_code == 200
    return int(present(NUMBER.search(page.text)).group(1))


def _poll(client: Any) -> Any:
    page = client.get("/login/app")
    return client.post(
        "/login/app/status", headers={"X-CSRFToken": csrf_token(page.text), "Accept": "application/json"}
    )


def _requests(client: Any, oid: int) -> list[dict[str, Any]]:
    return client.get(f"/dev/app/{oid}/requests").get_json()


def _answer(client: Any, request_id: str, **body: Any) -> Any:
    return client.post(f"/dev/app/requests/{request_id}", json=body)


def test_approve_with_the_right_number(app: Any, client: Any, patient: dict) -> None:
    number = _begin(client, patient)
    assert _poll(client).get_json() == {"state": "pending"}
    phone = app.test_client()
    (pending,) = _requests(phone, patient["oid"])
    assert number in pending["choices"] and len(pending["choices"]) == 3
    assert _answer(phone, pending["id"], action="approve", number=number).get_json() == {"result": "approved"}
    done = _poll(client).get_json()
    assert done["state"] == "done" and done["next"].startswith("/authorize?")
    assert _requests(phone, patient["oid"]) == []


def test_the_wrong_number_denies(app: Any, client: Any, patient: dict) -> None:
    number = _begin(client, patient)
    phone = app.test_client()
    (pending,) = _requests(phone, patient["oid"])
    wrong = next(n for n in pending["choices"] if n != number)
    assert _answer(phone, pending["id"], action="approve", number=wrong).get_json() == {"result": "denied"}
    resp = _poll(client)
    assert resp.status_code == 401 and resp.get_json()["code"] == "LOGIN-021"
    # the answer is final: a second try with the right number is refused
    assert _answer(phone, pending["id"], action="approve", number=number).status_code == 404


def test_deny(app: Any, client: Any, patient: dict) -> None:
    _begin(client, patient)
    phone = app.test_client()
    (pending,) = _requests(phone, patient["oid"])
    assert _answer(phone, pending["id"], action="deny").get_json() == {"result": "denied"}
    page = client.get("/login/app")
    resp = client.post("/login/app", data={"csrf_token": csrf_token(page.text)})
    assert resp.status_code == 401 and "LOGIN-021" in resp.text


def test_requests_expire(app: Any, client: Any, patient: dict) -> None:
    app.extensions["gosid"].login.factors.get("app")._ttl = 1
    number = _begin(client, patient)
    import time

    time.sleep(1.5)
    phone = app.test_client()
    assert _requests(phone, patient["oid"]) == []
    resp = _poll(client)
    assert resp.status_code == 401 and resp.get_json()["code"] == "LOGIN-011"
    assert number


def test_an_approval_completes_one_login_only(app: Any, client: Any, patient: dict) -> None:
    number = _begin(client, patient)
    phone = app.test_client()
    (pending,) = _requests(phone, patient["oid"])
    _answer(phone, pending["id"], action="approve", number=number)
    assert _poll(client).get_json()["state"] == "done"
    replay = _answer(phone, pending["id"], action="approve", number=number)
    assert replay.status_code == 404


def test_guessing_request_ids_fails(app: Any, client: Any, patient: dict) -> None:
    _begin(client, patient)
    phone = app.test_client()
    for guess in ("x", "0" * 22):
        assert _answer(phone, guess, action="approve", number=10).status_code == 404
    assert _poll(client).get_json() == {"state": "pending"}


def test_simulator_page_lists_requests(app: Any, client: Any, patient: dict) -> None:
    _begin(client, patient)
    page = app.test_client().get(f"/dev/app/{patient['oid']}")
    assert page.status_code == 200 and "data-request=" in page.text
    assert "Иванова" in app.test_client().get("/dev/app").text
