"""Confirmation in the Gosuslugi mobile app, with number matching.

``begin`` creates a request that the person's app lists (in dev mode the app is the simulator at
``/dev/app``); the login page shows a two-digit number and the app offers three. Approving with
the wrong number denies the request, so a person who taps "approve" out of habit on a stranger's
login (push fatigue) cannot complete it. Requests expire after ``ttl`` seconds; the login page
polls :meth:`verify`, which answers pending, denied, expired or done.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select

from idp.accounts.models import Person
from idp.adapters.store import ShortLivedStore
from idp.audit import log as audit
from idp.authn.errors import CodeExpired, FactorDenied, FactorPending
from idp.authn.origin import Origin
from idp.factors.base import Challenge, FactorResult
from idp.factors.models import EnrolledFactor
from idp.security.hashes import new_token
from idp.storage.db import db


@dataclass
class AppRequest:
    id: str
    tx_id: str
    person_oid: int
    number: int
    choices: list[int]
    created_at: int
    expires_at: int
    browser: str = ""
    ip: str = ""
    enrolled_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class AppDecisionRefused(Exception):
    """The request is unknown, expired or already decided."""


class AppConfirmFactor:
    name = "app"

    def __init__(self, *, store: ShortLivedStore, ttl: int = 120) -> None:
        self._store, self._ttl = store, ttl

    def _device(self, person: Person) -> EnrolledFactor | None:
        query = select(EnrolledFactor).where(EnrolledFactor.person_oid == person.oid, EnrolledFactor.kind == "app")
        return db.session.scalars(query).first()

    def available(self, person: Person) -> bool:
        return self._device(person) is not None

    def begin(self, tx: Any, person: Person, origin: Origin) -> Challenge:
        device = self._device(person)
        number = 10 + secrets.randbelow(90)
        choices = {number}
        while len(choices) < 3:
            choices.add(10 + secrets.randbelow(90))
        ordered = sorted(choices, key=lambda _: secrets.randbelow(1000))
        now = int(time.time())
        browser, ip = origin.browser, origin.ip
        req = AppRequest(
            id=new_token(16), tx_id=tx.id, person_oid=person.oid, number=number, choices=ordered,
            created_at=now, expires_at=now + self._ttl, browser=browser, ip=ip,
            enrolled_id=device.id if device else None,
        )  # fmt: skip
        old = self._store.get(f"app-tx:{tx.id}")
        if old:  # a new request replaces the previous one of this login
            self._store.delete(f"app-req:{old}")
        self._store.set(f"app-req:{req.id}", json.dumps(asdict(req)), ttl=self._ttl)
        self._store.set(f"app-tx:{tx.id}", req.id, ttl=self._ttl)
        self._store.delete(f"app-result:{tx.id}")
        self._index(person.oid, req.id)
        audit.record("app_request_created", person_oid=person.oid)
        return Challenge(factor=self.name, detail={"number": number, "ttl": self._ttl})

    def _index(self, oid: int, request_id: str) -> None:
        raw = self._store.get(f"app-person:{oid}")
        ids = [i for i in (json.loads(raw) if raw else []) if self._store.get(f"app-req:{i}")]
        self._store.set(f"app-person:{oid}", json.dumps([*ids[-9:], request_id]), ttl=self._ttl)

    def describe(self, tx: Any, person: Person) -> dict[str, Any]:
        req = self._current(tx.id)
        if req is None:
            return {"number": None, "expires_in": 0}
        return {"number": req.number, "expires_in": max(0, req.expires_at - int(time.time()))}

    def _current(self, tx_id: str) -> AppRequest | None:
        request_id = self._store.get(f"app-tx:{tx_id}")
        raw = self._store.get(f"app-req:{request_id}") if request_id else None
        return AppRequest(**json.loads(raw)) if raw else None

    # --- the app's side -------------------------------------------------------------------

    def pending_for(self, person_oid: int) -> list[AppRequest]:
        raw = self._store.get(f"app-person:{person_oid}")
        found = []
        for request_id in json.loads(raw) if raw else []:
            data = self._store.get(f"app-req:{request_id}")
            if data:
                found.append(AppRequest(**json.loads(data)))
        return found

    def decide(self, request_id: str, *, approve: bool, number: int | None) -> str:
        """The app's answer; returns "approved" or "denied". Consumes the request (one answer)."""
        raw = self._store.consume(f"app-req:{request_id}")
        if raw is None:
            audit.record("app_request_decided", result="unknown_or_expired")
            raise AppDecisionRefused()
        req = AppRequest(**json.loads(raw))
        outcome = "approved" if approve and number == req.number else "denied"
        reason = "wrong_number" if approve and outcome == "denied" else None
        self._store.set(f"app-result:{req.tx_id}", outcome, ttl=self._ttl)
        audit.record("app_request_decided", result=outcome, person_oid=req.person_oid, reason=reason)
        return outcome

    # --- the login page's side ------------------------------------------------------------

    def verify(self, tx: Any, person: Person, response: str) -> FactorResult:
        result = self._store.get(f"app-result:{tx.id}")
        if result == "approved" and self._store.consume(f"app-result:{tx.id}") == "approved":
            device = self._device(person)
            audit.record("app_confirmation_checked", person_oid=person.oid)
            return FactorResult(factor=self.name, amr="mca", enrolled_id=device.id if device else None)
        if result == "denied":
            raise FactorDenied()
        if self._current(tx.id) is not None:
            raise FactorPending()
        raise CodeExpired()
