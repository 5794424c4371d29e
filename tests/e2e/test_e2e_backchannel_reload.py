"""Back-channel logout survives a gunicorn reload in the middle of its retries.

An IdP of its own under gunicorn (not the session's stack: a reload would cut its tests' logins
short) whose demo client's back-channel URI points at a loopback receiver that refuses (503).
After a logout and the first refused attempt, SIGHUP makes gunicorn replace its workers; the
receiver comes up only once every worker that was alive at the logout has exited, so the logout
token it finally accepts was sent by a worker started after the reload, from the outbox row the
logout committed (the daemon thread of old lost it, 8 of 8). The audit rows record each attempt.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.support.backends import (
    PG_ADMIN_URL,
    REDIS_URL,
    backend_param,
    postgres_available,
    redis_available,
    require,
)
from tests.support.http_login import authorize_code
from tests.support.logout_receiver import LogoutReceiver
from tests.support.oidc_client import csrf_token
from tests.support.servers import DEMO_CLIENT_ID, E2E_IDP_SETTINGS, free_port, start_idp

pytestmark = pytest.mark.e2e
PERSONA = "patient_moscow"


@pytest.fixture(params=[backend_param("embedded"), backend_param("postgres_redis")])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """SQLite of the test's own, or a fresh PostgreSQL database (two workers claim from it, with
    Redis as the store they share)."""
    if request.param == "embedded":
        yield f"sqlite:///{tmp_path / 'idp.sqlite3'}"
        return
    require(postgres_available() and redis_available(), "PostgreSQL at 127.0.0.1:5432 and Redis at 127.0.0.1:6379")
    name = f"gosid_bcl_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _workers(master: int) -> set[int]:
    """The live (not zombie) child processes of ``master``."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == master and fields[0] != "Z":
            found.add(int(entry))
    return found


def _wait(condition: Any, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_a_reload_in_the_middle_of_the_retries_still_delivers_the_logout(
    database_url: str, tmp_path: Path, personas: dict[str, dict[str, Any]]
) -> None:
    person = personas[PERSONA]
    receiver_port = free_port()
    embedded = database_url.startswith("sqlite")
    workers = 1 if embedded else 2
    store_url = "memory://" if embedded else REDIS_URL.rsplit("/", 1)[0] + "/13"  # not the stack's 14
    idp = start_idp(
        tmp_path / "idp", port=free_port(), rp_base_url=f"http://127.0.0.1:{receiver_port}",
        database_url=database_url, store_url=store_url, workers=workers,
        idp_settings={**E2E_IDP_SETTINGS, "GOSID_BACKCHANNEL_LOGOUT_ATTEMPTS": "8"},
    )  # fmt: skip
    engine = create_engine(database_url)
    try:
        with LogoutReceiver([503] * 1000, port=receiver_port) as receiver:  # down until the test says
            browser = requests.Session()
            authorize_code(
                browser, authorization_endpoint=f"{idp.url}/authorize", idp_url=idp.url, client_id=DEMO_CLIENT_ID,
                redirect_uri=f"http://127.0.0.1:{receiver_port}/auth/callback", phone=person["phone"],
                password=person["password"],
            )  # fmt: skip
            confirm = browser.get(f"{idp.url}/logout", timeout=15)
            signed_out = browser.post(f"{idp.url}/logout", data={"csrf_token": csrf_token(confirm.text)}, timeout=15)
            assert signed_out.status_code == 200, signed_out.text
            assert [r["answered"] for r in receiver.wait_for(1, timeout=30)] == [503]  # the first attempt

            assert idp.server.proc is not None
            master = idp.server.proc.pid
            before = _workers(master)
            assert len(before) == workers
            os.kill(master, signal.SIGHUP)  # gunicorn: new workers, the old ones stopped
            _wait(lambda: not before & _workers(master) and len(_workers(master)) == workers, "the reload")
            refused = len(receiver.received)
            receiver.statuses.clear()  # the relying party is up: only a new worker can reach it now

            _wait(lambda: any(r["answered"] == 200 for r in receiver.received), "the delivery after the reload")
            received = receiver.wait_for(refused + 1)
        assert [r["answered"] for r in received] == [503] * refused + [200]
        assert all(r["path"] == "/auth/backchannel-logout" and r["form"]["logout_token"] for r in received)

        def audit(event: str) -> list[tuple[str, str]]:
            with engine.connect() as conn:
                rows = conn.execute(
                    text("SELECT result, client_id FROM audit_event WHERE event = :e ORDER BY id"), {"e": event}
                )
                return [(r.result, r.client_id) for r in rows]

        _wait(lambda: bool(audit("backchannel_logout_delivered")), "the delivered audit row")
        assert audit("backchannel_logout_attempt") == [("failed", DEMO_CLIENT_ID)] * refused + [("ok", DEMO_CLIENT_ID)]
        assert audit("backchannel_logout_delivered") == [("ok", DEMO_CLIENT_ID)]
        assert audit("backchannel_logout_failed") == []
        with engine.connect() as conn:
            states = conn.execute(text("SELECT state, attempts FROM backchannel_delivery")).all()
        assert [tuple(s) for s in states] == [("delivered", refused + 1)]
    finally:
        engine.dispose()
        idp.server.stop()
