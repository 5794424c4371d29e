"""Back-channel logout through the durable outbox (idp/oidc/backchannel.py): the logout writes the
deliveries in its own transaction, and delivery survives a receiver that is down, retries with
back-off on the injected clock, audits every attempt and the final failure, takes a dead worker's
row again once its lease has run out, and never delivers one row twice to two workers.

The app's own delivery thread is stopped here: each test drives the outbox itself, moving the
frozen clock (the thread's wake-up after a logout is covered by the back-channel tests in
tests/security, the delivery across a gunicorn reload by tests/e2e/test_e2e_backchannel_reload.py).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy import select

from idp.adapters.clock import FrozenClock
from idp.oidc.backchannel import BackchannelOutbox, Delivery, Outcome
from idp.oidc.backchannel_models import BackchannelDelivery
from idp.services import services_of
from idp.storage.db import db
from idp.storage.unit_of_work import transaction
from tests.support.audit_log import audit_events
from tests.support.clients import register
from tests.support.handmade_jwts import published_keyset
from tests.support.logout_receiver import BACKCHANNEL_EVENT, LogoutReceiver
from tests.support.oidc_client import csrf_token
from tests.support.servers import free_port
from tests.support.sign_in import sign_in

START = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
CREDS = ("bcl-outbox", "bcl-outbox-secret-0123456789")
REDIRECT = "http://127.0.0.1:5000/bcl/cb"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def app(settings: Any, persona_rows: list[dict[str, Any]], clock: FrozenClock) -> Iterator[Flask]:
    """The root ``app`` on the frozen clock, its delivery thread stopped (the tests deliver)."""
    from idp.accounts.models import Person
    from idp.adapters.store import RedisStore, open_store
    from idp.app import create_app

    store = open_store(settings.store_url, prefix=f"test:{uuid.uuid4().hex}:")
    application = create_app(settings, store=store, clock=clock)
    application.config["TESTING"] = True
    services_of(application).backchannel_worker.stop()
    with application.app_context(), transaction():
        db.session.add_all([Person(**row) for row in persona_rows])
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    if isinstance(store, RedisStore):
        store.flush_prefix()


def _outbox(app: Flask) -> BackchannelOutbox:
    return services_of(app).backchannel


def _deliver(app: Flask) -> list[Outcome]:
    with app.app_context():
        return _outbox(app).deliver_due()


def _rows(app: Flask) -> list[BackchannelDelivery]:
    with app.app_context():
        rows = list(db.session.scalars(select(BackchannelDelivery).order_by(BackchannelDelivery.id)))
        db.session.expunge_all()
        return rows


def _log_out(app: Flask, persona: dict[str, Any], uri: str) -> dict[str, Any]:
    """Sign ``persona`` in to a client whose back-channel URI is ``uri``, then log out; the ID token's claims."""
    register(app, client_id=CREDS[0], redirect_uris=[REDIRECT], client_secret=CREDS[1], backchannel_logout_uri=uri)
    browser = app.test_client()
    done = sign_in(browser, persona, client_id=CREDS[0], creds=CREDS, redirect_uri=REDIRECT)
    page = browser.get("/logout")
    assert browser.post("/logout", data={"csrf_token": csrf_token(page.text)}).status_code == 200
    claims: dict[str, Any] = jwt.decode(done.id_token, _keys(app)).claims
    return claims


def _keys(app: Flask) -> KeySet:
    return published_keyset(app.test_client())


def _attempts(app: Flask) -> list[tuple[str, int, str | None]]:
    return [
        (e.result, e.detail["attempt"], e.detail.get("error")) for e in audit_events(app, "backchannel_logout_attempt")
    ]


def test_a_logout_to_a_receiver_that_is_down_is_retried_and_delivered_when_it_is_up(
    app: Flask, clock: FrozenClock, personas: dict[str, Any]
) -> None:
    persona = personas["patient_moscow"]
    port = free_port()  # nothing listens there yet: the relying party is down
    id_claims = _log_out(app, persona, f"http://127.0.0.1:{port}/backchannel-logout")
    [row] = _rows(app)  # written by the logout's own transaction
    assert (row.client_id, row.state, row.attempts, row.due_at) == (CREDS[0], "pending", 0, START)

    assert [o.state for o in _deliver(app)] == ["pending"]  # refused connection: retry scheduled
    [row] = _rows(app)
    assert (row.attempts, row.due_at, row.claimed_by) == (1, START + timedelta(seconds=2), None)
    assert _deliver(app) == []  # not due yet on the outbox's clock
    assert audit_events(app, "backchannel_logout_delivered") == []

    clock.advance(timedelta(seconds=2))
    with LogoutReceiver([], port=port) as receiver:  # the relying party is back
        assert [o.state for o in _deliver(app)] == ["delivered"]
        [received] = receiver.received
    claims = jwt.decode(received["form"]["logout_token"], _keys(app)).claims
    assert claims["sid"] == id_claims["sid"] and claims["sub"] == id_claims["sub"] == str(persona["oid"])
    assert claims["aud"] == CREDS[0] and claims["events"] == {BACKCHANNEL_EVENT: {}}
    [row] = _rows(app)
    assert (row.state, row.attempts, row.finished_at) == ("delivered", 2, START + timedelta(seconds=2))
    assert _attempts(app) == [("failed", 1, "ConnectionError"), ("ok", 2, None)]
    [delivered] = audit_events(app, "backchannel_logout_delivered")
    assert (delivered.client_id, delivered.person_oid, delivered.detail["attempts"]) == (CREDS[0], persona["oid"], 2)
    assert audit_events(app, "backchannel_logout_failed") == []
    clock.advance(timedelta(hours=1))
    assert _deliver(app) == []  # delivered once, never again


def test_after_the_configured_attempts_the_failure_is_audited_and_delivery_stops(
    app: Flask, clock: FrozenClock, personas: dict[str, Any]
) -> None:
    attempts = services_of(app).settings.backchannel_logout_attempts
    assert _outbox(app).attempts == attempts == 3
    with LogoutReceiver([500] * 10) as receiver:
        _log_out(app, personas["patient_moscow"], receiver.uri)
        assert [o.state for o in _deliver(app)] == ["pending"]
        clock.advance(timedelta(seconds=1))
        assert _deliver(app) == []  # the back-off is 2 s after the first attempt
        clock.advance(timedelta(seconds=1))
        assert [o.state for o in _deliver(app)] == ["pending"]
        clock.advance(timedelta(seconds=3))
        assert _deliver(app) == []  # ... then 4 s after the second
        clock.advance(timedelta(seconds=1))
        assert [o.state for o in _deliver(app)] == ["failed"]
        clock.advance(timedelta(days=1))
        assert _deliver(app) == []
        assert [r["answered"] for r in receiver.received] == [500, 500, 500]
    assert _attempts(app) == [("failed", 1, "HTTP 500"), ("failed", 2, "HTTP 500"), ("failed", 3, "HTTP 500")]
    [failed] = audit_events(app, "backchannel_logout_failed")
    assert (failed.result, failed.client_id, failed.detail) == (
        "failed",
        CREDS[0],
        {"attempts": 3, "error": "HTTP 500"},
    )
    [row] = _rows(app)
    assert (row.state, row.attempts, row.last_error) == ("failed", 3, "HTTP 500")


def test_a_row_whose_worker_died_is_claimed_again_after_its_lease(app: Flask, clock: FrozenClock) -> None:
    outbox = _outbox(app)
    with LogoutReceiver([]) as receiver:
        with app.app_context():
            with transaction():
                outbox.enqueue([Delivery(CREDS[0], receiver.uri, sub="1", sid="sid-dead")], person_oid=1)
            dead = outbox.claim()  # a worker takes the row and dies before it posts
            assert dead is not None
            assert outbox.claim() is None  # leased: nobody else takes it meanwhile
            clock.advance(outbox.lease - timedelta(seconds=1))
            assert outbox.claim() is None
            clock.advance(timedelta(seconds=1))
            again = outbox.claim()
            assert again is not None and again.id == dead.id and again.claim != dead.claim
            assert outbox.attempt(again).state == "delivered"
            # the dead worker's late result changes nothing and is not audited
            assert outbox.attempt(dead).state == "lost"
        assert len(receiver.received) == 2
    assert _attempts(app) == [("ok", 1, None)]
    assert len(audit_events(app, "backchannel_logout_delivered")) == 1


def test_two_workers_never_deliver_the_same_row_twice(app: Flask) -> None:
    outbox = _outbox(app)
    count = 40
    with LogoutReceiver([]) as receiver:
        with app.app_context(), transaction():
            outbox.enqueue(
                [Delivery(CREDS[0], receiver.uri, sub="1", sid=f"sid-{i:02d}") for i in range(count)], person_oid=1
            )
        start = threading.Barrier(2)
        results: dict[str, list[Outcome]] = {}
        errors: list[BaseException] = []

        def worker(name: str) -> None:
            try:
                with app.app_context():
                    start.wait()
                    results[name] = outbox.deliver_due()
            except BaseException as exc:  # reported by the test thread
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(name,)) for name in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not errors, errors
        sids = sorted(jwt.decode(r["form"]["logout_token"], _keys(app)).claims["sid"]
                      for r in receiver.received)  # fmt: skip
    assert sids == [f"sid-{i:02d}" for i in range(count)]  # each row once
    ids_a, ids_b = ({o.id for o in results[name]} for name in ("a", "b"))
    assert not ids_a & ids_b and len(ids_a | ids_b) == count
    assert len(audit_events(app, "backchannel_logout_delivered")) == count
    assert {r.state for r in _rows(app)} == {"delivered"}


def test_a_logout_that_rolls_back_leaves_no_delivery(app: Flask) -> None:
    outbox = _outbox(app)
    with app.app_context(), pytest.raises(RuntimeError), transaction():
        outbox.enqueue([Delivery(CREDS[0], "http://127.0.0.1:9/bcl", sub="1", sid="sid-x")], person_oid=1)
        raise RuntimeError("the logout failed after writing its deliveries")
    assert _rows(app) == []
