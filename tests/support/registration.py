"""Registration as a browser goes through it: contacts + password → SMS code → profile."""

from __future__ import annotations

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.flows import outbox_code
from tests.support.oidc_client import csrf_token


def contacts_step(
    client: FlaskClient, *, phone: str, email: str, password: str, lang: str | None = None, **fields: str
) -> TestResponse:
    """Step 1: phone, e-mail and password (confirmed the same unless ``fields`` say otherwise)."""
    page = client.get("/register" + (f"?lang={lang}" if lang else ""))
    data = {"phone": phone, "email": email, "password": password, "password_confirm": password, **fields}
    return client.post("/register", data={"csrf_token": csrf_token(page.text), **data})


def confirm_step(client: FlaskClient, code: str) -> TestResponse:
    """Step 2: the code sent by SMS."""
    page = client.get("/register/confirm")
    return client.post(
        "/register/confirm", data={"csrf_token": csrf_token(page.text), "code": code, "action": "confirm"}
    )


def new_account(client: FlaskClient, *, phone: str, email: str, password: str) -> None:
    """Steps 1 and 2 of registration: a new simplified account, signed in (step 3 still to come)."""
    assert contacts_step(client, phone=phone, email=email, password=password).status_code == 303
    assert confirm_step(client, outbox_code(client, phone)).status_code == 303
