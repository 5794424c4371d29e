"""SMS flooding: the configuration people run ships the documented code-send limits.

The root ``settings`` fixture reads ``config/idp.toml`` as ``make run`` does (only the database,
store, keys and secret are the test's), so these tests attack the shipped limits: 10 codes to one
phone or e-mail and 30 from one IP an hour. Only the e2e suite and the benchmark raise them,
for their own servers (tests/support/servers.py, bench/run.py); production refuses such values
(tests/unit/test_settings.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.oidc_client import csrf_token
from tests.support.store import expire_now

SHIPPED_PER_RECIPIENT = 10  # README, docs/FACTORS.md
SHIPPED_PER_IP = 30


def _outbox(client: Any, to: str) -> list[dict[str, Any]]:
    return list(client.get("/dev/outbox", query_string={"to": to}).get_json())


def _reset(client: Any, login: str) -> Any:
    page = client.get("/password/reset")
    return client.post("/password/reset", data={"csrf_token": csrf_token(page.text), "login": login})


def _register(client: Any, phone: str) -> Any:
    page = client.get("/register")
    form = {"csrf_token": csrf_token(page.text), "phone": phone, "email": "",
            "password": "Sinii-Trolleybus-Vecherom-9", "password_confirm": "Sinii-Trolleybus-Vecherom-9"}  # fmt: skip
    return client.post("/register", data=form)


@pytest.mark.checklist(48)
def test_twelve_password_resets_to_one_phone_send_at_most_the_documented_ten_codes(
    app: Any, personas: dict[str, Any]
) -> None:
    phone = personas["patient_moscow"]["phone"]
    answers = [_reset(app.test_client(), phone) for _ in range(12)]
    statuses = [resp.status_code for resp in answers]
    assert statuses == [303] * SHIPPED_PER_RECIPIENT + [429, 429], statuses
    assert "LOGIN-014" in answers[-1].text
    assert len(_outbox(app.test_client(), phone)) == SHIPPED_PER_RECIPIENT


@pytest.mark.checklist(48)
def test_twelve_registrations_with_one_phone_send_at_most_the_documented_ten_messages(app: Any) -> None:
    phone = "+79160000042"  # nobody's number: every registration would text it
    answers = []
    for _ in range(12):
        answers.append(_register(app.test_client(), phone))
        expire_now(app.extensions["gosid"].store, "sms-cooldown:")
    statuses = [resp.status_code for resp in answers]
    assert statuses.count(303) == SHIPPED_PER_RECIPIENT and statuses[-1] == 429, statuses
    assert len(_outbox(app.test_client(), phone)) == SHIPPED_PER_RECIPIENT


@pytest.mark.checklist(48)
def test_one_ip_triggers_at_most_the_documented_thirty_codes_an_hour(app: Any) -> None:
    phones = [f"+7916000{n:04d}" for n in range(SHIPPED_PER_IP + 2)]  # a new number each time
    statuses = [_register(app.test_client(), phone).status_code for phone in phones]
    assert statuses.count(303) == SHIPPED_PER_IP and statuses[-2:] == [429, 429], statuses
