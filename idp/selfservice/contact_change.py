"""Changing the phone or the e-mail: a code to the new contact proves it, and the old contacts
are told (so a takeover cannot quietly move the account to the attacker's phone)."""

from __future__ import annotations

import json
import secrets

from sqlalchemy import select

from idp.accounts import contacts, lookup_limits
from idp.accounts.contacts import EMAIL_SAME, EMAIL_TAKEN, PHONE_SAME, PHONE_TAKEN
from idp.accounts.lookup_limits import LookupLimits
from idp.accounts.models import Person
from idp.accounts.notifications import notify_change
from idp.accounts.validation import fail
from idp.adapters.store import ShortLivedStore
from idp.audit import log as audit
from idp.authn.errors import CodeExpired, CodeInvalid
from idp.factors.send_limits import SendLimits
from idp.outbox.senders import MessageSender
from idp.security.hashes import constant_time_equals, secret_digest
from idp.storage.db import db

CHANGE_SMS = "Код подтверждения нового номера на Госуслугах (gosid): {code}. Никому его не сообщайте."
CHANGE_MAIL_SUBJECT = "Госуслуги (gosid): подтверждение адреса"
CHANGE_MAIL = "Код подтверждения нового адреса электронной почты: {code}"
ATTEMPTS = 3  # tries per code


class ContactChangeService:
    def __init__(
        self,
        *,
        store: ShortLivedStore,
        sender: MessageSender,
        limits: SendLimits | None,
        lookups: LookupLimits,
        ttl: int = 600,
    ) -> None:
        self._store, self._sender, self._limits, self._lookups, self._ttl = store, sender, limits, lookups, ttl

    def start(self, person: Person, kind: str, value: str, *, ip: str) -> str:
        """Validate the new ``kind`` ("phone" | "email") and send it a code (asked for from ``ip``);
        returns the value."""
        new = self._new_value(person, kind, value, ip=ip)
        if self._limits is not None:
            self._limits.check(new, ip=ip)
        code = f"{secrets.randbelow(1_000_000):06d}"
        state = {"value": new, "hash": secret_digest(f"{person.oid}:{kind}:{code}"), "gen": secrets.token_hex(8)}
        self._store.set(f"contact:{person.oid}:{kind}", json.dumps(state), ttl=self._ttl)
        if kind == "phone":
            self._sender.send_sms(new, CHANGE_SMS.format(code=code))
        else:
            self._sender.send_email(new, CHANGE_MAIL_SUBJECT, CHANGE_MAIL.format(code=code))
        audit.record("contact_change_started", person_oid=person.oid, kind=kind)
        return new

    def _new_value(self, person: Person, kind: str, value: str, *, ip: str) -> str:
        """The validated new contact; «belongs to another account» as Gosuslugi says it, but
        every such look-up is limited and audited (accounts/lookup_limits.py)."""
        if kind == "phone":
            new, same, taken = contacts.validate_mobile_phone(value), PHONE_SAME, PHONE_TAKEN
            current, owner = person.phone, select(Person.oid).where(Person.phone == new)
        else:
            new, same, taken = contacts.validate_email(value).lower(), EMAIL_SAME, EMAIL_TAKEN
            current, owner = (person.email or "").lower(), select(Person.oid).where(Person.email == new)
        if new == current:
            raise fail(kind, same)
        self._lookups.check(account=str(person.oid), ip=ip, person_oid=person.oid)
        if db.session.scalar(owner) is not None:
            lookup_limits.bound(kind, person_oid=person.oid)
            raise fail(kind, taken)
        return new

    def pending(self, person: Person, kind: str) -> str | None:
        raw = self._store.get(f"contact:{person.oid}:{kind}")
        return str(json.loads(raw)["value"]) if raw else None

    def confirm(self, person: Person, kind: str, code: str, *, url: str) -> None:
        key = f"contact:{person.oid}:{kind}"
        raw = self._store.get(key)
        if raw is None:
            raise CodeExpired()
        state = json.loads(raw)
        # Counted atomically before the comparison: a burst of parallel tries compares at most
        # ATTEMPTS candidates, and the right code after them is refused too.
        used = self._store.incr(f"contact-attempts:{state.get('gen')}", ttl=self._ttl)
        if used > ATTEMPTS:
            self._store.delete(key)
            audit.record("contact_change_code", result="attempts_exhausted", person_oid=person.oid, kind=kind)
            raise CodeExpired()
        if not constant_time_equals(secret_digest(f"{person.oid}:{kind}:{code.strip()}"), state["hash"]):
            audit.record("contact_change_code", result="wrong", person_oid=person.oid, kind=kind)
            if used >= ATTEMPTS:
                self._store.delete(key)
                raise CodeExpired()
            raise CodeInvalid()
        if self._store.consume(key) is None:
            raise CodeExpired()
        old_phone, old_email = person.phone, person.email
        if kind == "phone":
            person.phone, person.phone_verified = state["value"], True
        else:
            person.email, person.email_verified = state["value"], True
        audit.record("contact_changed", person_oid=person.oid, kind=kind)
        notify_change(self._sender, person, kind, url=url, phone=old_phone, email=old_email or "")
