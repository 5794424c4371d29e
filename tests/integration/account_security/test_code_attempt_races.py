"""Bursts of parallel wrong codes: a code is evaluated at most as often as it allows.

Attempts are counted with the store's atomic ``incr`` before the code is compared, so however
many requests arrive at once, at most ``attempts`` of them compare a candidate; the rest are
refused unseen, and after that even the right code is refused. Both stores (the ``backend``
fixture: the embedded store, and Redis with PostgreSQL).
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select

from tests.support.flows import outbox_code, password_step, sms_step
from tests.support.oidc_client import csrf_token
from tests.support.present import present

BURST = 48
ALLOWED = 3  # the reset and the contact-change codes allow three tries


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def _burst(app: Any, browser: Any, path: str, data: dict[str, str]) -> list[tuple[int, str]]:
    """``BURST`` threads, each its own test client carrying ``browser``'s cookie, POST at once;
    (status, error code shown) of each answer."""
    cookie = browser.get_cookie(app.config["SESSION_COOKIE_NAME"])
    barrier, lock, statuses = threading.Barrier(BURST), threading.Lock(), []

    def run() -> None:
        web = app.test_client()
        web.set_cookie(cookie.key, cookie.value)
        barrier.wait(timeout=30)
        resp = web.post(path, data=data)
        shown = "LOGIN-010" if "LOGIN-010" in resp.text else "LOGIN-011" if "LOGIN-011" in resp.text else "?"
        with lock:
            statuses.append((resp.status_code, shown))

    threads = [threading.Thread(target=run) for _ in range(BURST)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(statuses) == BURST, "a request raised instead of answering"
    return statuses


def _count(app: Any, event: str, result: str) -> int:
    from idp.audit.models import AuditEvent
    from idp.storage.db import db

    with app.app_context():
        query = select(func.count()).where(AuditEvent.event == event, AuditEvent.result == result)
        return int(db.session.scalar(query) or 0)


def _check_burst(answers: list[tuple[int, str]]) -> None:
    """Every answer is a refusal; «the code is incorrect, try again» (LOGIN-010) at most for the
    first ``ALLOWED - 1`` evaluations, the last evaluation and everything after it LOGIN-011."""
    assert {status for status, _ in answers} == {401}, answers
    assert {shown for _, shown in answers} <= {"LOGIN-010", "LOGIN-011"}, answers
    assert sum(shown == "LOGIN-010" for _, shown in answers) <= ALLOWED - 1, answers


def _post(browser: Any, path: str, **fields: str) -> Any:
    return browser.post(path, data={"csrf_token": csrf_token(browser.get(path).text), **fields})


def test_a_burst_of_wrong_reset_codes_is_evaluated_at_most_three_times(app: Any, personas: dict) -> None:
    patient, browser = personas["patient_moscow"], app.test_client()
    _post(browser, "/password/reset", login=patient["phone"])
    code = outbox_code(browser, patient["phone"])
    token = csrf_token(browser.get("/password/reset/code").text)
    _check_burst(_burst(app, browser, "/password/reset/code", {"csrf_token": token, "code": _wrong(code)}))
    assert _count(app, "password_reset_code", "wrong") <= ALLOWED
    right = _post(browser, "/password/reset/code", code=code)
    assert right.status_code == 401 and "LOGIN-011" in right.text, "the right code after the burst"
    assert browser.get("/password/reset/new").status_code == 401


def _sign_in(browser: Any, persona: dict[str, Any]) -> None:
    browser.get("/login")
    assert password_step(browser, persona["phone"], persona["password"]).status_code == 303
    assert sms_step(browser, outbox_code(browser, persona["phone"])).status_code == 303


def test_a_burst_of_wrong_contact_change_codes_is_evaluated_at_most_three_times(app: Any, personas: dict) -> None:
    patient, browser, new = personas["patient_moscow"], app.test_client(), "+79161112233"
    _sign_in(browser, patient)
    _post(browser, "/profile/security/contact/phone", value=new)
    code = outbox_code(browser, new)
    token = csrf_token(browser.get("/profile/security/contact/phone").text)
    path = "/profile/security/contact/phone"
    _check_burst(_burst(app, browser, path, {"csrf_token": token, "code": _wrong(code)}))
    assert _count(app, "contact_change_code", "wrong") <= ALLOWED
    right = _post(browser, path, code=code)
    assert right.status_code == 401 and "LOGIN-011" in right.text, "the right code after the burst"
    from idp.accounts.models import Person
    from idp.storage.db import db

    with app.app_context():
        assert present(db.session.get(Person, patient["oid"])).phone == patient["phone"]
