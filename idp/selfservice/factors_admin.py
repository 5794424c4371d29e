"""Enrolling and removing a person's factors (the «Двухэтапная проверка» section).

The pending TOTP seed waits in the short-lived store under a random id kept in the browser
session, never in the cookie itself; it becomes an enrolled factor once the first code matches.
"""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from typing import Any

from sqlalchemy import select

from idp.accounts.models import Person
from idp.accounts.notifications import notify_change
from idp.adapters.store import ShortLivedStore
from idp.audit import log as audit
from idp.authn.errors import TransactionExpired
from idp.factors.models import EnrolledFactor
from idp.factors.registry import FactorRegistry
from idp.factors.totp import TotpEnrolment, TotpFactor
from idp.outbox.senders import MessageSender
from idp.security.hashes import new_token
from idp.storage.db import db

ENROLMENT_TTL = 600


def enrolled(person: Person) -> list[EnrolledFactor]:
    query = select(EnrolledFactor).where(EnrolledFactor.person_oid == person.oid).order_by(EnrolledFactor.id)
    return list(db.session.scalars(query))


class FactorsAdmin:
    """Built once with the app's services (``Services.factors_admin``)."""

    def __init__(self, *, store: ShortLivedStore, sender: MessageSender, factors: FactorRegistry) -> None:
        self._store, self._sender, self._factors = store, sender, factors

    def _totp(self) -> TotpFactor:
        factor = self._factors.get("totp")
        assert isinstance(factor, TotpFactor)
        return factor

    def start_totp(self, person: Person, browser: MutableMapping[str, Any]) -> TotpEnrolment:
        enrolment = self._totp().new_enrolment(person)
        key = new_token(24)
        data = json.dumps({"oid": person.oid, "secret": enrolment.secret})
        self._store.set(f"totp-enrol:{key}", data, ttl=ENROLMENT_TTL)
        browser["totp_enrolment"] = key
        return enrolment

    def pending_totp(self, person: Person, browser: MutableMapping[str, Any]) -> TotpEnrolment | None:
        secret = self._pending_secret(person, browser)
        return self._totp().enrolment_for(person, secret) if secret else None

    def _pending_secret(self, person: Person, browser: MutableMapping[str, Any]) -> str | None:
        raw = self._store.get(f"totp-enrol:{browser.get('totp_enrolment')}")
        if raw is None:
            return None
        data = json.loads(raw)
        return str(data["secret"]) if data.get("oid") == person.oid else None

    def confirm_totp(
        self, person: Person, browser: MutableMapping[str, Any], *, code: str, label: str, url: str
    ) -> EnrolledFactor:
        secret = self._pending_secret(person, browser)
        if secret is None:
            raise TransactionExpired()
        factor = self._totp().confirm_enrolment(person, secret, code, label=label.strip() or "Authenticator")
        self._store.delete(f"totp-enrol:{browser.pop('totp_enrolment', '')}")
        notify_change(self._sender, person, "factor_added", url=url)
        return factor

    def connect_app(self, person: Person, *, url: str, label: str = "Госуслуги (симулятор)") -> EnrolledFactor:
        """Link the Gosuslugi app (in dev mode the simulator at /dev/app); one per person."""
        found = next((f for f in enrolled(person) if f.kind == "app"), None)
        if found is not None:
            return found
        factor = EnrolledFactor(person_oid=person.oid, kind="app", label=label)
        db.session.add(factor)
        db.session.flush()
        audit.record("factor_enrolled", person_oid=person.oid, kind="app", factor_id=factor.id)
        notify_change(self._sender, person, "factor_added", url=url)
        return factor

    def remove(self, person: Person, factor_id: int, *, url: str) -> bool:
        factor = db.session.get(EnrolledFactor, factor_id)
        if factor is None or factor.person_oid != person.oid:
            return False
        kind = factor.kind
        db.session.delete(factor)
        audit.record("factor_removed", person_oid=person.oid, kind=kind, factor_id=factor_id)
        notify_change(self._sender, person, "factor_removed", url=url)
        return True
