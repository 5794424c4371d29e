"""OpenID Connect Back-Channel Logout through a durable outbox.

A logout writes one :class:`~idp.oidc.backchannel_models.BackchannelDelivery` row per client to
tell, in the transaction of the logout itself (:meth:`BackchannelOutbox.enqueue`): a logout that
commits has its deliveries, one that rolls back has none. A :class:`DeliveryWorker` thread in
every IdP process (started after gunicorn forks the worker, ``config/gunicorn.conf.py``, and on
the first logout otherwise) claims due rows, signs a fresh logout token, POSTs it and records the
outcome; a failed attempt is scheduled again with exponential back-off until the configured
attempts are used up. Whichever process is alive delivers: a claim is a lease
(PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` inside the claiming ``UPDATE``; SQLite: the same
conditional ``UPDATE``, atomic under its write lock), so two workers never hold the same row,
and a row whose worker died mid-delivery is claimed again once its lease has run out.

Audit: ``backchannel_logout_attempt`` for every attempt (``ok``/``failed``, the attempt number,
the HTTP status or the error, when the next attempt is due), then ``backchannel_logout_delivered``
or, once the attempts are exhausted, ``backchannel_logout_failed``. The schedule (due times,
leases) is read from the injected clock; token lifetimes keep ``time.time()``.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from sqlalchemy import and_, event, func, or_, select, update
from sqlalchemy.orm import Session

from idp.adapters.clock import Clock
from idp.audit import log as audit
from idp.oidc.backchannel_models import DELIVERED, FAILED, PENDING, BackchannelDelivery
from idp.oidc.tokens import TokenSigner
from idp.storage.db import db
from idp.storage.unit_of_work import transaction

EVENT = "http://schemas.openid.net/event/backchannel-logout"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """One client to tell that the session ``sid`` of ``sub`` has ended."""

    client_id: str
    uri: str
    sub: str
    sid: str
    alg: str = "RS256"


@dataclass(frozen=True)
class Claimed:
    """A row this delivery run holds the lease of (a snapshot: the session is committed)."""

    id: int
    claim: str
    client_id: str
    uri: str
    person_oid: int
    sub: str
    sid: str
    alg: str
    attempts: int


CLAIMED_COLUMNS = ("id", "client_id", "uri", "person_oid", "sub", "sid", "alg", "attempts")


@dataclass(frozen=True)
class Outcome:
    id: int
    client_id: str
    attempt: int
    state: str  # pending (retry scheduled) | delivered | failed | lost (the lease ran out first)


def logout_token(signer: TokenSigner, *, client_id: str, sub: str, sid: str, alg: str = "RS256") -> str:
    now = int(time.time())
    claims = {
        "iss": signer.issuer,
        "aud": client_id,
        "iat": now,
        "exp": now + 120,
        "jti": uuid.uuid4().hex,
        "sub": sub,
        "sid": sid,
        "events": {EVENT: {}},
    }
    return signer.sign(claims, alg=alg, typ="logout+jwt")


class BackchannelOutbox:
    """The outbox's rules: what a logout writes, how a row is claimed, attempted and rescheduled.

    Every method but :meth:`enqueue` runs its own transactions (the claim must be visible to the
    other workers before the POST, which may take up to ``timeout`` seconds)."""

    def __init__(
        self,
        *,
        signer: TokenSigner,
        clock: Clock,
        attempts: int = 3,
        timeout: float = 5.0,
        backoff: float = 2.0,
        max_backoff: float = 600.0,
        lease: float | None = None,
        post: Callable[..., requests.Response] = requests.post,
    ) -> None:
        self._signer, self._clock, self._post = signer, clock, post
        self.attempts, self._timeout = max(1, attempts), timeout
        self._backoff, self._max_backoff = backoff, max_backoff
        # a claim outlives one POST with room to record it; a dead worker's row is free after it
        self.lease = timedelta(seconds=lease if lease is not None else 2 * timeout + 5)

    def delay(self, attempt: int) -> timedelta:
        """How long after the failed attempt number ``attempt`` the next one is due."""
        return timedelta(seconds=min(self._backoff * 2 ** (attempt - 1), self._max_backoff))

    def enqueue(self, deliveries: list[Delivery], *, person_oid: int) -> None:
        """Add the rows to the caller's transaction (the logout's), due now."""
        now = self._clock.now()
        db.session.add_all(
            BackchannelDelivery(
                client_id=d.client_id,
                uri=d.uri,
                person_oid=person_oid,
                sub=d.sub,
                sid=d.sid,
                alg=d.alg,
                state=PENDING,
                attempts=0,
                due_at=now,
            )
            for d in deliveries
        )

    def claim(self) -> Claimed | None:
        """Take the lease of the most overdue free row, if any (committed before returning)."""
        now = self._clock.now()
        table = BackchannelDelivery
        free = and_(
            table.state == PENDING,
            table.due_at <= now,
            or_(table.claimed_until.is_(None), table.claimed_until <= now),
        )
        candidate = (
            select(table.id)
            .where(free)
            .order_by(table.due_at, table.id)
            .limit(1)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite's UPDATE holds the write lock
            .scalar_subquery()
        )
        claim = uuid.uuid4().hex
        with transaction():
            row = db.session.execute(
                update(table)
                .where(table.id == candidate, free)
                .values(claimed_by=claim, claimed_until=now + self.lease)
                .returning(*(getattr(table, name) for name in CLAIMED_COLUMNS))
                .execution_options(synchronize_session=False)
            ).one_or_none()
        if row is None:
            return None
        return Claimed(claim=claim, **dict(zip(CLAIMED_COLUMNS, row, strict=True)))

    def attempt(self, claimed: Claimed) -> Outcome:
        """POST a freshly signed logout token to the claimed row's client and record the outcome."""
        token = logout_token(
            self._signer, client_id=claimed.client_id, sub=claimed.sub, sid=claimed.sid, alg=claimed.alg
        )
        status, error = self._send(claimed.uri, token)
        delivered = status is not None and 200 <= status < 300
        number = claimed.attempts + 1
        now = self._clock.now()
        values: dict[str, Any] = {"attempts": number, "claimed_by": None, "claimed_until": None, "last_error": error}
        retry_at: datetime | None = None
        if delivered:
            state = DELIVERED
        elif number >= self.attempts:
            state = FAILED
        else:
            state, retry_at = PENDING, now + self.delay(number)
            values["due_at"] = retry_at
        values["state"] = state
        if state != PENDING:
            values["finished_at"] = now
        table = BackchannelDelivery
        with transaction():
            held = db.session.execute(
                update(table)
                .where(table.id == claimed.id, table.claimed_by == claimed.claim, table.state == PENDING)
                .values(**values)
                .returning(table.id)
                .execution_options(synchronize_session=False)
            ).one_or_none()
            if held is None:  # our lease ran out and another worker took the row: it records
                log.warning("back-channel logout %s: lease lost during attempt %s", claimed.id, number)
                return Outcome(claimed.id, claimed.client_id, number, "lost")
            who: dict[str, Any] = {"person_oid": claimed.person_oid, "client_id": claimed.client_id}
            audit.record(
                "backchannel_logout_attempt",
                result="ok" if delivered else "failed",
                attempt=number,
                status=status,
                error=error,
                retry_at=retry_at.isoformat() if retry_at else None,
                **who,
            )
            if state == DELIVERED:
                audit.record("backchannel_logout_delivered", attempts=number, **who)
            elif state == FAILED:
                audit.record("backchannel_logout_failed", result="failed", attempts=number, error=error, **who)
        return Outcome(claimed.id, claimed.client_id, number, state)

    def deliver_due(self, *, limit: int = 100, stopping: Callable[[], bool] = lambda: False) -> list[Outcome]:
        """Claim and attempt due rows one at a time until none is left (or ``limit``, or ``stopping``)."""
        outcomes: list[Outcome] = []
        while len(outcomes) < limit and not stopping():
            claimed = self.claim()
            if claimed is None:
                break
            outcomes.append(self.attempt(claimed))
        return outcomes

    def seconds_until_due(self, *, cap: float) -> float:
        """How long until the next free row is due (at most ``cap``; rows leased elsewhere wait
        for the cap)."""
        table = BackchannelDelivery
        now = self._clock.now()
        soonest = db.session.scalar(
            select(func.min(table.due_at)).where(
                table.state == PENDING, or_(table.claimed_until.is_(None), table.claimed_until <= now)
            )
        )
        db.session.rollback()  # end the read: the next pass starts from fresh data
        if soonest is None:
            return cap
        return max(0.05, min(cap, (soonest - now).total_seconds()))

    def _send(self, uri: str, token: str) -> tuple[int | None, str | None]:
        try:
            resp = self._post(
                uri,
                data={"logout_token": token},
                timeout=self._timeout,
                headers={"Cache-Control": "no-store"},
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            return None, exc.__class__.__name__
        if 200 <= resp.status_code < 300:
            return resp.status_code, None
        return resp.status_code, f"HTTP {resp.status_code}"


class DeliveryWorker:
    """The per-process thread that delivers the outbox: it wakes every ``interval`` seconds (or
    sooner, when a row falls due), and right after a logout in this process commits.

    ``app_context`` opens the database context of each delivery pass. The thread is started per
    process (:meth:`ensure_running`: a thread does not survive ``fork``, so gunicorn's
    ``post_fork`` hook calls it in every worker); :meth:`stop` ends it for good (at exit, and in
    tests that drive :class:`BackchannelOutbox` themselves)."""

    def __init__(
        self,
        outbox: BackchannelOutbox,
        app_context: Callable[[], AbstractContextManager[Any]],
        *,
        interval: float = 1.0,
    ) -> None:
        self._outbox, self._app_context, self._interval = outbox, app_context, interval
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._pid == os.getpid() and self._thread.is_alive()

    def ensure_running(self) -> None:
        """Start this process's delivery thread unless it runs (or the worker was stopped)."""
        if self._pid != os.getpid():
            self._lock = threading.Lock()  # a lock copied by fork may be held by a thread that is gone
        with self._lock:
            if self._stopped.is_set() or self.running:
                return
            first_in_process = self._pid != os.getpid()
            self._pid, self._wake = os.getpid(), threading.Event()
            self._thread = threading.Thread(target=self._run, name="backchannel-delivery", daemon=True)
            self._thread.start()
        if first_in_process:
            atexit.register(self.stop)  # a graceful exit finishes the attempt in flight

    def wake(self) -> None:
        self.ensure_running()
        self._wake.set()

    def wake_after_commit(self, session: Session) -> None:
        """Wake the thread once ``session`` commits (the rows are visible to it only then)."""
        event.listen(session, "after_commit", lambda _session: self.wake(), once=True)

    def stop(self, timeout: float = 10.0) -> None:
        self._stopped.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and self._pid == os.getpid() and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self) -> None:
        wake = self._wake
        while not self._stopped.is_set():
            wake.clear()
            wait = self._interval
            try:
                with self._app_context():
                    self._outbox.deliver_due(stopping=self._stopped.is_set)
                    wait = self._outbox.seconds_until_due(cap=self._interval)
            except Exception:
                log.exception("back-channel logout delivery pass failed; retrying in %s s", wait)
            wake.wait(wait)
