"""ESIA: a code replay racing its redemption revokes what the redemption committed (issue 11 §2).

As for OpenID Connect codes (tests/integration/test_outages.py): the replay reaches
``/aas/oauth2/te`` (v1) or ``/aas/oauth2/v3/te`` after the first redemption wrote everything and
before it committed. It waits for the redemption (the code's row in the database), then revokes
the refresh family it committed, and the audit row says how many refresh tokens that was. A code
that was never issued leaves no row of a redemption behind.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select, text
from werkzeug.test import TestResponse

from tests.integration.esia.esia_flow import EsiaSystem, ac_url, authorize
from tests.support.audit_log import audit_events
from tests.support.faults import at_next_commit

DIALECTS = {
    # name: (system fixture, authorization path, token path)
    "v1": ("rsa_system", "/aas/oauth2/ac", "/aas/oauth2/te"),
    "v3": ("gost_system", "/aas/oauth2/v2/ac", "/aas/oauth2/v3/te"),
}


def _blocked_on_a_lock(backend: dict[str, str]) -> Callable[[], bool]:
    if backend["name"] == "embedded":
        return lambda: False  # on SQLite the replay waits on the write lock, unseen
    engine = create_engine(backend["database_url"])

    def waiting() -> bool:
        with engine.connect() as conn:
            return bool(conn.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")))

    return waiting


class _Dialect:
    def __init__(self, name: str, request: pytest.FixtureRequest) -> None:
        fixture, self.ac_path, self.te_path = DIALECTS[name]
        self.name = name
        self.system: EsiaSystem = request.getfixturevalue(fixture)

    def ac(self) -> str:
        params = self.system.ac_v1() if self.name == "v1" else self.system.ac_v2()
        return ac_url(self.ac_path, params)

    def code_form(self, code: str) -> dict[str, str]:
        return self.system.te_v1(code) if self.name == "v1" else self.system.te_v3(code)

    def refresh_form(self, token: str) -> dict[str, str]:
        if self.name == "v1":
            return self.system.te_v1("", grant_type="refresh_token", refresh_token=token)
        return self.system.te_v3(None, refresh=token)

    def redeem(self, client: FlaskClient, code: str) -> TestResponse:
        return client.post(self.te_path, data=self.code_form(code))

    def refresh(self, client: FlaskClient, token: str) -> TestResponse:
        return client.post(self.te_path, data=self.refresh_form(token))


@pytest.fixture(params=sorted(DIALECTS))
def dialect(request: pytest.FixtureRequest) -> _Dialect:
    return _Dialect(request.param, request)


def _esia_code_rows(app: Flask) -> int:
    from idp.esia.codes import REDEEMED
    from idp.replay.models import UsedValue
    from idp.storage.db import db

    with app.app_context():
        return len(db.session.scalars(select(UsedValue.digest).where(UsedValue.namespace == REDEEMED)).all())


def test_esia_code_replay_while_the_redemption_commits_revokes_the_committed_refresh_family(
    app: Flask, client: FlaskClient, backend: dict[str, str], dialect: _Dialect, personas: dict[str, Any]
) -> None:
    code = authorize(client, dialect.ac(), personas["patient_moscow"])["code"]
    replay: dict[str, TestResponse] = {}
    replay_form = dialect.code_form(code)  # signed here: the signer is not shared between threads
    replayer = threading.Thread(
        target=lambda: replay.update(r=app.test_client().post(dialect.te_path, data=replay_form))
    )
    blocked = _blocked_on_a_lock(backend)

    def replay_now() -> None:
        replayer.start()
        deadline = time.monotonic() + 3
        while replayer.is_alive() and not blocked() and time.monotonic() < deadline:
            time.sleep(0.02)

    with at_next_commit(replay_now):
        won = dialect.redeem(client, code)
    replayer.join(timeout=30)
    assert won.status_code == 200, won.text
    assert not replayer.is_alive(), "the replay never finished"
    refused = replay["r"]
    assert refused.status_code == 400 and refused.get_json()["error_description"].startswith("ESIA-007011"), (
        refused.text
    )

    stolen = dialect.refresh(client, won.get_json()["refresh_token"])
    assert stolen.status_code == 400 and "access_token" not in stolen.get_json(), "the winner's refresh token survived"
    audited = audit_events(app, "esia_code_replay")
    assert [(row.result, row.detail.get("refresh_tokens_revoked")) for row in audited] == [("tokens_revoked", 1)], [
        row.detail for row in audited
    ]


def test_a_replay_after_the_redemption_audits_what_it_revoked_and_a_second_replay_nothing(
    app: Flask, client: FlaskClient, dialect: _Dialect, personas: dict[str, Any]
) -> None:
    code = authorize(client, dialect.ac(), personas["patient_moscow"])["code"]
    first = dialect.redeem(client, code)
    assert first.status_code == 200, first.text
    rotated = dialect.refresh(client, first.get_json()["refresh_token"])
    assert rotated.status_code == 200, rotated.text  # the family now has two rows: the used one and its successor

    for _ in range(2):
        again = dialect.redeem(client, code)
        assert again.status_code == 400 and again.get_json()["error_description"].startswith("ESIA-007011")
    assert dialect.refresh(client, rotated.get_json()["refresh_token"]).status_code == 400
    audited = audit_events(app, "esia_code_replay")
    assert [(row.result, row.detail.get("refresh_tokens_revoked")) for row in audited] == [("tokens_revoked", 2)]


def test_a_code_never_issued_leaves_no_row_of_a_redemption(
    app: Flask, client: FlaskClient, dialect: _Dialect, personas: dict[str, Any]
) -> None:
    before = _esia_code_rows(app)
    bogus = dialect.redeem(client, "never-issued-" + dialect.name)
    assert bogus.status_code == 400 and bogus.get_json()["error_description"].startswith("ESIA-007011"), bogus.text
    assert _esia_code_rows(app) == before, "a code nobody was given left a row in used_value"
    assert audit_events(app, "esia_code_replay") == []
    code = authorize(client, dialect.ac(), personas["patient_moscow"])["code"]
    assert dialect.redeem(client, code).status_code == 200
    assert _esia_code_rows(app) == before + 1  # the real redemption is remembered
