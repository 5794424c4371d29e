"""E-mail link: one-time, 10 minutes, bound to the pending login, completes the original browser."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.integration.factors.helpers import choose, finish_consent, id_token_claims, password, start
from tests.support.oidc_client import csrf_token

LINK = re.compile(r"(http://\S+/login/email/confirm/(\S+))")


@pytest.fixture
def patient(personas: dict) -> dict[str, Any]:
    return personas["patient_moscow"]


def _link(client: Any, email: str) -> tuple[str, str]:
    mails = client.get("/dev/outbox", query_string={"to": email}).get_json()
    found = LINK.search(mails[0]["body"])
    assert found, mails[0]["body"]
    return found.group(1).split("localhost:8000", 1)[-1], found.group(2)


def _poll(client: Any) -> Any:
    page = client.get("/login/email")
    return client.post(
        "/login/email/status", headers={"X-CSRFToken": csrf_token(page.text), "Accept": "application/json"}
    )


def _start_email_login(client: Any, persona: dict) -> AuthRequestT:
    req = start(client)
    password(client, persona)
    resp = choose(client, "email")
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/login/email"), resp.text
    return req


AuthRequestT = Any


def test_link_on_another_device_completes_the_original_browser(
    app: Any, client: Any, patient: dict, rp_credentials: tuple
) -> None:
    req = _start_email_login(client, patient)
    assert _poll(client).get_json() == {"state": "pending"}
    path, _ = _link(client, patient["email"])
    phone = app.test_client()  # another device: no cookies of the login
    page = phone.get(path)
    assert page.status_code == 200 and "confirm-login" in page.text
    assert phone.post(path, data={"csrf_token": csrf_token(page.text)}).status_code == 200
    done = _poll(client).get_json()
    assert done["state"] == "done" and done["next"].startswith("/authorize?")
    claims = id_token_claims(client, rp_credentials, req, finish_consent(client, req, _Redirect(done["next"])))
    assert claims["amr"] == ["pwd", "email", "mfa"]
    assert phone.get("/profile").status_code == 302  # the other device is not signed in


class _Redirect:
    status_code = 303

    def __init__(self, location: str) -> None:
        self.headers = {"Location": location}


def test_the_link_works_once(app: Any, client: Any, patient: dict) -> None:
    _start_email_login(client, patient)
    path, _ = _link(client, patient["email"])
    other = app.test_client()
    token = csrf_token(other.get(path).text)
    assert other.post(path, data={"csrf_token": token}).status_code == 200
    again = other.post(path, data={"csrf_token": token})
    assert again.status_code == 404 and "LOGIN-011" in again.text


def test_opening_the_link_alone_confirms_nothing(app: Any, client: Any, patient: dict) -> None:
    _start_email_login(client, patient)
    path, _ = _link(client, patient["email"])
    app.test_client().get(path)  # a mail scanner fetching the link
    assert _poll(client).get_json() == {"state": "pending"}


def test_wrong_or_guessed_tokens_are_refused(app: Any, client: Any, patient: dict) -> None:
    _start_email_login(client, patient)
    other = app.test_client()
    for guess in ("x", "A" * 43, "../../profile"):
        assert other.get(f"/login/email/confirm/{guess}").status_code == 404
    assert _poll(client).get_json() == {"state": "pending"}


def test_the_link_expires(app: Any, client: Any, patient: dict) -> None:
    factor = app.extensions["gosid"].login.factors.get("email")
    factor._ttl = 1
    _start_email_login(client, patient)
    path, _ = _link(client, patient["email"])
    import time

    time.sleep(1.5)
    other = app.test_client()
    assert other.get(path).status_code == 404
    resp = _poll(client)
    assert resp.status_code == 401 and resp.get_json()["code"] == "LOGIN-011"


def test_the_link_is_bound_to_its_login(app: Any, patient: dict) -> None:
    first, second = app.test_client(), app.test_client()
    _start_email_login(first, patient)
    path, _ = _link(first, patient["email"])
    _start_email_login(second, patient)  # another login of the same person
    other = app.test_client()
    other.post(path, data={"csrf_token": csrf_token(other.get(path).text)})
    assert _poll(second).get_json() == {"state": "pending"}
    assert _poll(first).get_json()["state"] == "done"


def test_resend_cooldown(client: Any, patient: dict) -> None:
    _start_email_login(client, patient)
    page = client.get("/login/email")
    resp = client.post("/login/email/resend", data={"csrf_token": csrf_token(page.text)})
    assert resp.status_code == 429 and "LOGIN-012" in resp.text
