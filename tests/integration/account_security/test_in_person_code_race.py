"""An in-person confirmation code is used once, however many requests redeem it at the same moment.

Consumption is one conditional ``UPDATE ... WHERE used_at IS NULL``: of parallel redemptions,
exactly one changes the row, the others are refused (LEVEL-006) and audited as wrong. Each
thread has its own test client and app context, as separate browsers would; both backends
(the ``backend`` fixture: SQLite, and PostgreSQL with Redis).
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select

from idp.storage.unit_of_work import transaction
from tests.support.flows import outbox_code, password_step, sms_step
from tests.support.oidc_client import csrf_token
from tests.support.present import present

BURST = 12
CODE_PATH = "/profile/security/level/code"


def _sign_in(browser: Any, persona: dict[str, Any]) -> None:
    browser.get("/login")
    assert password_step(browser, persona["phone"], persona["password"]).status_code == 303
    assert sms_step(browser, outbox_code(browser, persona["phone"])).status_code == 303


def _redeem_at_once(app: Any, browser: Any, code: str) -> list[tuple[int, bool]]:
    """``BURST`` threads, each its own client with ``browser``'s cookie, POST the code together:
    (status, whether LEVEL-006 is shown) of each answer."""
    data = {"csrf_token": csrf_token(browser.get("/profile/security/level").text), "code": code}
    cookie = browser.get_cookie(app.config["SESSION_COOKIE_NAME"])
    barrier, lock, answers = threading.Barrier(BURST), threading.Lock(), []

    def run() -> None:
        web = app.test_client()
        web.set_cookie(cookie.key, cookie.value)
        barrier.wait(timeout=30)
        resp = web.post(CODE_PATH, data=data)
        with lock:
            answers.append((resp.status_code, "LEVEL-006" in resp.text))

    threads = [threading.Thread(target=run) for _ in range(BURST)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(answers) == BURST, "a request raised instead of answering"
    return answers


def _uses(app: Any, result: str) -> int:
    from idp.audit.models import AuditEvent
    from idp.storage.db import db

    with app.app_context():
        query = select(func.count()).where(AuditEvent.event == "in_person_code_used", AuditEvent.result == result)
        return int(db.session.scalar(query) or 0)


def test_parallel_redemptions_of_one_code_succeed_exactly_once(app: Any, personas: dict[str, Any]) -> None:
    from idp.accounts.levels import issue_in_person_code
    from idp.accounts.models import Person
    from idp.accounts.security_models import InPersonCode
    from idp.storage.db import db

    irina, browser = personas["patient_standard_spb"], app.test_client()
    with app.app_context(), transaction():
        code = issue_in_person_code(irina["oid"])
    _sign_in(browser, irina)
    answers = _redeem_at_once(app, browser, code)
    assert sorted(answers).count((303, False)) == 1, answers
    assert set(answers) - {(303, False)} == {(401, True)}, answers
    assert _uses(app, "ok") == 1 and _uses(app, "wrong") == BURST - 1
    with app.app_context():
        assert present(db.session.get(Person, irina["oid"])).level == "confirmed"
        used = db.session.scalars(select(InPersonCode.used_at).where(InPersonCode.person_oid == irina["oid"])).all()
        assert len(used) == 1 and used[0] is not None
