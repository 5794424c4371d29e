"""The date rules count Gosuslugi's day, Moscow's, from the IdP's injected clock.

A person may open an account from the 14th birthday, and a passport may be issued from the
holder's 14th birthday up to today, both included. "Today" is the date in Moscow: at 23:30 UTC
and at 21:30 UTC it is already the next day there (02:30 and 00:30), at 20:30 UTC not yet
(23:30). The server's own time zone and the wall clock play no part: the clock is frozen.
Registration's profile step, the cabinet's personal data change and ``gosid user add``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from idp.adapters.clock import FrozenClock
from tests.support.flows import outbox_code, password_step, sms_step
from tests.support.oidc_client import csrf_token
from tests.support.registration import new_account

BIRTHDAY = "2013-06-15"  # 14 years old on 2027-06-15
MOSCOW_DAY = "2027-06-15"
AT_0230_MSK = datetime(2027, 6, 14, 23, 30, tzinfo=UTC)  # 23:30 UTC: the 15th in Moscow
AT_0030_MSK = datetime(2027, 6, 14, 21, 30, tzinfo=UTC)  # 21:30 UTC: the 15th in Moscow
NEXT_DAY_IN_MOSCOW = [pytest.param(AT_0230_MSK, id="0230msk"), pytest.param(AT_0030_MSK, id="0030msk")]
SAME_DAY_IN_MOSCOW = datetime(2027, 6, 14, 20, 30, tzinfo=UTC)  # 23:30 in Moscow, still the 14th
NEW_PHONE = "+79035550012"
PASSWORD = "Sinyaya-Reka-Tumannaya-7"
PROFILE = {
    "surname": "Орлова",
    "name": "Анна",
    "patronymic": "Викторовна",
    "birth_date": "1991-05-20",
    "gender": "F",
    "snils": "112-233-445 95",
    "passport_series": "4512",
    "passport_number": "345678",
    "passport_issue_date": "2011-06-01",
    "region_code": "77",
    "address": "г. Москва, ул. Тверская, д. 1, кв. 5",
}


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(SAME_DAY_IN_MOSCOW)


@pytest.fixture
def app(settings: Any, persona_rows: list[dict[str, Any]], clock: FrozenClock) -> Iterator[Any]:
    """The root ``app``, built with the frozen clock (no OAuth client needed here)."""
    from idp.accounts.models import Person
    from idp.adapters.store import RedisStore, open_store
    from idp.app import create_app
    from idp.storage.db import db

    store = open_store(settings.store_url, prefix=f"test:{uuid.uuid4().hex}:")
    application = create_app(settings, store=store, clock=clock)
    application.config["TESTING"] = True
    with application.app_context():
        db.session.add_all([Person(**row) for row in persona_rows])
        db.session.commit()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    if isinstance(store, RedisStore):
        store.flush_prefix()


def _profile(client: Any, **fields: str) -> Any:
    page = client.get("/register/profile?lang=en")
    return client.post("/register/profile?lang=en", data={"csrf_token": csrf_token(page.text), **PROFILE, **fields})


def _saved_birth_date(app: Any) -> str | None:
    from idp.accounts.models import Person
    from idp.storage.db import db

    with app.app_context():
        found = db.session.scalar(select(Person.birth_date).where(Person.phone == NEW_PHONE))
        return found.isoformat() if found else None


@pytest.mark.parametrize("instant", NEXT_DAY_IN_MOSCOW)
def test_the_14th_birthday_in_moscow_opens_the_account_and_the_passport_of_that_day(
    app: Any, client: Any, clock: FrozenClock, instant: datetime
) -> None:
    clock.set(instant)
    new_account(client, phone=NEW_PHONE, email="anna.orlova@example.ru", password=PASSWORD)
    resp = _profile(client, birth_date=BIRTHDAY, passport_issue_date=MOSCOW_DAY)
    assert resp.status_code == 303, resp.text
    assert _saved_birth_date(app) == BIRTHDAY


@pytest.mark.parametrize("instant", NEXT_DAY_IN_MOSCOW)
def test_a_passport_issued_today_in_moscow_is_not_in_the_future(
    app: Any, client: Any, clock: FrozenClock, instant: datetime
) -> None:
    clock.set(instant)
    new_account(client, phone=NEW_PHONE, email="anna.orlova@example.ru", password=PASSWORD)
    assert _profile(client, passport_issue_date=MOSCOW_DAY).status_code == 303


def test_before_midnight_in_moscow_the_birthday_and_the_passport_date_are_still_tomorrow(
    app: Any, client: Any, clock: FrozenClock
) -> None:
    clock.set(SAME_DAY_IN_MOSCOW)
    new_account(client, phone=NEW_PHONE, email="anna.orlova@example.ru", password=PASSWORD)
    resp = _profile(client, birth_date=BIRTHDAY, passport_issue_date=MOSCOW_DAY)
    assert resp.status_code == 400
    assert 'id="birth_date-error"' in resp.text and "from the age of 14" in resp.text
    adult = _profile(client, passport_issue_date=MOSCOW_DAY)
    assert adult.status_code == 400 and 'id="passport_issue_date-error"' in adult.text
    assert "the date is in the future" in adult.text
    assert _saved_birth_date(app) is None


def _sign_in(client: Any, persona: dict[str, Any]) -> None:
    client.get("/login")
    assert password_step(client, persona["phone"], persona["password"]).status_code == 303
    assert sms_step(client, outbox_code(client, persona["phone"])).status_code == 303


def _change_passport_date(client: Any, persona: dict[str, Any], issued: str) -> Any:
    keys = ("surname", "name", "patronymic", "birth_date", "gender", "snils", "passport_series", "passport_number",
            "inn", "oms_policy", "region_code", "address")  # fmt: skip
    form = {k: str(persona[k]) for k in keys if k in persona}
    token = csrf_token(client.get("/profile").text)
    data = {"csrf_token": token, **form, "passport_issue_date": issued}
    return client.post("/profile/personal-data?lang=en", data=data)


@pytest.mark.parametrize(("instant", "status"), [(AT_0230_MSK, 303), (SAME_DAY_IN_MOSCOW, 400)])
def test_the_cabinet_takes_today_from_moscow(
    app: Any, client: Any, clock: FrozenClock, personas: dict[str, Any], instant: datetime, status: int
) -> None:
    persona = personas["patient_standard_spb"]
    clock.set(instant)
    _sign_in(client, persona)
    resp = _change_passport_date(client, persona, MOSCOW_DAY)
    assert resp.status_code == status, resp.text
    assert (status == 400) == ('id="passport_issue_date-error"' in resp.text)


@pytest.mark.parametrize(("instant", "exit_code"), [(AT_0230_MSK, 0), (SAME_DAY_IN_MOSCOW, 1)])
def test_gosid_user_add_takes_today_from_moscow(
    tmp_path: Any, keys_dir: Any, instant: datetime, exit_code: int
) -> None:
    from idp.cli import main

    env = {
        "GOSID_DATABASE_URL": f"sqlite:///{tmp_path / 'idp.sqlite3'}",
        "GOSID_VAR_DIR": str(tmp_path / "var"),
        "GOSID_KEYS_DIR": str(keys_dir),
    }
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    args = ["user", "add", "--phone", "+79035550013", "--surname", "Орлова", "--name", "Ирина",
            "--birth-date", BIRTHDAY, "--password", PASSWORD]  # fmt: skip
    result = runner.invoke(main, args, env=env, obj=FrozenClock(instant))
    assert result.exit_code == exit_code, result.output
    assert ("created account" in result.output) == (exit_code == 0)
    assert ("birth_date" in result.output) == (exit_code == 1)
