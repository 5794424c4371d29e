"""Account-existence oracles: "already bound to another account" answers are limited and audited.

Gosuslugi says when a SNILS, phone or e-mail belongs to another account, and so does gosid (the
profile, registration, the contact change). Unlimited, those answers let anyone test who has an
account. Every such look-up is counted per asking account and per IP (the shipped limits: 10 and
50 an hour); over the limit the look-up is not made and the person reads «Слишком много
проверок…» (429); every "already bound" answer is an audit event. The password reset, which
must not reveal accounts at all, does the same work for unknown and known accounts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import event, func, select

from tests.support.apps import seeded_app
from tests.support.flows import outbox_code, password_step, sms_step
from tests.support.oidc_client import csrf_token

PER_ACCOUNT = 10  # GOSID_LOOKUP_CHECKS_PER_ACCOUNT's default
REFUSAL = "Слишком много проверок"
PASSWORD = "Sinyaya-Reka-Tumannaya-7"


@pytest.fixture
def app_with(settings: Any, persona_rows: list[dict[str, Any]]) -> Iterator[Callable[..., Any]]:
    """``app_with(**overrides)``: the IdP with other settings (use instead of ``app``)."""
    made: list[Iterator[Any]] = []

    def build(**overrides: Any) -> Any:
        factory = seeded_app(replace(settings, **overrides), persona_rows)
        made.append(factory)
        return next(factory)

    yield build
    for factory in made:
        next(factory, None)


def _bound_events(app: Any, kind: str) -> int:
    from idp.audit.models import AuditEvent
    from idp.storage.db import db

    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.event == "identity_lookup", AuditEvent.result == "bound")
        )
        return sum(1 for row in rows if row.detail.get("kind") == kind)


def _sign_in(browser: Any, persona: dict[str, Any]) -> None:
    browser.get("/login")
    assert password_step(browser, persona["phone"], persona["password"]).status_code == 303
    assert sms_step(browser, outbox_code(browser, persona["phone"])).status_code == 303


def _propose_phone(browser: Any, phone: str) -> Any:
    page = browser.get("/profile/security/contact/phone")
    return browser.post("/profile/security/contact/phone", data={"csrf_token": csrf_token(page.text), "value": phone})


@pytest.mark.checklist(50)
def test_contact_change_probes_are_limited_per_account_and_audited(app: Any, personas: dict[str, Any]) -> None:
    prober, stranger = app.test_client(), personas["doctor_moscow"]["phone"]
    _sign_in(prober, personas["patient_moscow"])
    answers = [_propose_phone(prober, stranger) for _ in range(PER_ACCOUNT + 2)]
    assert [a.status_code for a in answers] == [400] * PER_ACCOUNT + [429, 429]
    assert "другой учётной записи" in answers[0].text  # the message stays where Gosuslugi shows it
    assert REFUSAL in answers[-1].text and "другой учётной записи" not in answers[-1].text
    assert _bound_events(app, "phone") == PER_ACCOUNT


@pytest.mark.checklist(50)
def test_probes_from_one_ip_are_limited_across_accounts(app_with: Callable[..., Any], personas: dict) -> None:
    app = app_with(lookup_checks_per_ip=3)
    first, second = app.test_client(), app.test_client()
    _sign_in(first, personas["patient_moscow"])
    _sign_in(second, personas["patient_sverdlovsk"])
    stranger = personas["doctor_moscow"]["phone"]
    assert [_propose_phone(first, stranger).status_code for _ in range(2)] == [400, 400]
    assert _propose_phone(second, stranger).status_code == 400
    refused = _propose_phone(second, stranger)
    assert refused.status_code == 429 and REFUSAL in refused.text


def _register(browser: Any, phone: str, email: str) -> Any:
    page = browser.get("/register")
    form = {"phone": phone, "email": email, "password": PASSWORD, "password_confirm": PASSWORD}
    assert browser.post("/register", data={"csrf_token": csrf_token(page.text), **form}).status_code == 303
    page = browser.get("/register/confirm")
    code = outbox_code(browser, phone)
    return browser.post("/register/confirm", data={"csrf_token": csrf_token(page.text), "code": code})


@pytest.mark.checklist(50)
def test_registration_email_probes_are_audited_and_limited_per_ip(app_with: Callable[..., Any], personas: dict) -> None:
    app = app_with(lookup_checks_per_ip=2)
    taken = personas["patient_moscow"]["email"]
    for phone in ("+79035550021", "+79035550022"):
        done = _register(app.test_client(), phone, taken)
        assert done.status_code == 303  # the account is made, without the e-mail (a notice says so)
    assert _bound_events(app, "email") == 2
    browser = app.test_client()
    refused = _register(browser, "+79035550023", taken)
    assert refused.status_code == 429 and REFUSAL in refused.text
    from idp.accounts.models import Person
    from idp.storage.db import db

    with app.app_context():  # nothing was made, and the code is still good for later
        assert db.session.scalar(select(func.count()).where(Person.phone == "+79035550023")) == 0


@pytest.mark.checklist(50)
def test_profile_snils_probes_are_limited_per_account(app: Any, personas: dict[str, Any]) -> None:
    browser = app.test_client()
    assert _register(browser, "+79035550031", "").status_code == 303
    stranger = personas["patient_moscow"]["snils"]
    profile = {"surname": "Орлова", "name": "Анна", "birth_date": "1991-05-20", "gender": "F", "snils": stranger,
               "passport_series": "4512", "passport_number": "345678", "passport_issue_date": "2011-06-01",
               "region_code": "77", "address": "г. Москва, ул. Тверская, д. 1, кв. 5"}  # fmt: skip
    statuses = []
    for _ in range(PER_ACCOUNT + 1):
        page = browser.get("/register/profile")
        resp = browser.post("/register/profile", data={"csrf_token": csrf_token(page.text), **profile})
        statuses.append(resp.status_code)
    assert statuses == [400] * PER_ACCOUNT + [429], statuses
    assert REFUSAL in resp.text and _bound_events(app, "snils") == PER_ACCOUNT


# --- the password reset: the same work for unknown and known accounts ---------------------------


class Work:
    """What one request makes the IdP do: store writes by kind and SQL INSERTs by table."""

    def __init__(self, app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        from idp.storage.db import db

        self.store: list[str] = []
        self.inserts: list[str] = []
        store = app.extensions["gosid"].store
        for name in ("set", "add", "incr", "delete", "consume"):
            original = getattr(store, name)
            monkeypatch.setattr(store, name, self._counting(name, original))
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", self._sql)

    def _counting(self, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def call(key: str, *args: Any, **kwargs: Any) -> Any:
            self.store.append(f"{name} {key.split(':')[0]}")
            return original(key, *args, **kwargs)

        return call

    def _sql(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        found = re.match(r"\s*INSERT INTO (\w+)", statement)
        if found:
            self.inserts.append(found.group(1))

    def take(self) -> tuple[list[str], list[str]]:
        done = (sorted(self.store), sorted(self.inserts))
        self.store.clear()
        self.inserts.clear()
        return done


def _reset(browser: Any, login: str) -> Any:
    page = browser.get("/password/reset")
    return browser.post("/password/reset", data={"csrf_token": csrf_token(page.text), "login": login})


@pytest.mark.checklist(50)
def test_reset_does_the_same_work_for_unknown_and_known_accounts(
    app: Any, personas: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    known_login, unknown_login = personas["patient_moscow"]["phone"], "+79990001122"
    work = Work(app, monkeypatch)
    known = _reset(app.test_client(), known_login)
    known_work = work.take()
    unknown = _reset(app.test_client(), unknown_login)
    unknown_work = work.take()
    assert (known.status_code, known.headers["Location"]) == (unknown.status_code, unknown.headers["Location"])
    assert known_work[0] == unknown_work[0], "store writes differ"
    assert len(known_work[1]) == len(unknown_work[1]), f"durable writes differ: {known_work[1]} {unknown_work[1]}"


@pytest.mark.checklist(50)
def test_reset_send_limit_answers_unknown_accounts_like_known_ones(app: Any, personas: dict[str, Any]) -> None:
    """The 11th reset an hour to one phone is refused whether or not the phone has an account."""
    for login in (personas["patient_moscow"]["phone"], "+79990001122"):
        statuses = [_reset(app.test_client(), login).status_code for _ in range(11)]
        assert statuses == [303] * 10 + [429], (login, statuses)
