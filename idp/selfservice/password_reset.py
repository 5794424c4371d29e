"""«Забыли пароль?»: a code to the phone or e-mail, then a new password.

The answers are the same whether or not an account has that phone or e-mail (no message is sent
for unknown ones, and their codes never match). A reset proves one contact only, so it never
signs the person in: the next login still needs the password and a second factor. Every
session and refresh token of the account ends.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict, dataclass

from idp.accounts import passwords
from idp.accounts.lookup import find_person
from idp.accounts.models import Person
from idp.accounts.notifications import notify_change
from idp.accounts.password_change import set_password
from idp.adapters.store import ShortLivedStore
from idp.audit import log as audit
from idp.authn.errors import CodeExpired, CodeInvalid, FactorRequired
from idp.factors.send_limits import SendLimits
from idp.outbox.senders import MessageSender
from idp.security.hashes import constant_time_equals, new_token, secret_digest
from idp.selfservice.lifecycle import AccountLifecycle
from idp.storage.db import db

RESET_SMS = "Код для восстановления пароля на Госуслугах (gosid): {code}. Никому его не сообщайте."
RESET_MAIL_SUBJECT = "Госуслуги (gosid): восстановление пароля"
RESET_MAIL = "Код для восстановления пароля: {code}\nЕсли вы не восстанавливали пароль, ничего не делайте."


@dataclass
class PendingReset:
    id: str
    person_oid: int | None
    channel: str  # "sms" | "email"
    code_hash: str
    created_at: int
    verified: bool = False  # tries are counted apart, atomically (``reset-attempts:<id>``)


class PasswordResetService:
    def __init__(
        self,
        *,
        store: ShortLivedStore,
        sender: MessageSender,
        limits: SendLimits | None,
        lifecycle: AccountLifecycle,
        ttl: int = 600,
        attempts: int = 3,
    ) -> None:
        self._store, self._sender, self._limits, self._lifecycle = store, sender, limits, lifecycle
        self._ttl, self._attempts = ttl, attempts

    def start(self, login: str, *, ip: str) -> PendingReset:
        """Known and unknown accounts take the same steps (the same hashing, send-limit counters,
        one durable write for the message, the store write and the audit event), so neither the
        answer nor its time tells whether an account exists; only a known one gets a code."""
        found = find_person(login)
        person = found if found is not None and not found.disabled else None
        channel = "email" if "@" in login else "sms"
        code = f"{secrets.randbelow(1_000_000):06d}"
        reset_id = new_token(24)
        secret = code if person is not None else secrets.token_hex(16)  # an unknown account's matches nothing
        code_hash = secret_digest(f"{reset_id}:{secret}")
        target = (person.email if channel == "email" else person.phone) if person is not None else None
        if self._limits is not None:
            self._limits.check((target or login).strip().lower(), ip=ip)
        self._deliver(person, channel, code)
        db.session.flush()  # the message (or its stand-in row) is one INSERT of its own either way
        pending = PendingReset(reset_id, person.oid if person else None, channel, code_hash, int(time.time()))
        self._save(pending)
        audit.record("password_reset_started", result="ok" if person else "unknown_account", channel=channel,
                     person_oid=person.oid if person else None)  # fmt: skip
        return pending

    def _deliver(self, person: Person | None, channel: str, code: str) -> None:
        if person is None:
            # No message for an unknown account; the audit row stands in for the outbox row.
            audit.record("password_reset_message", result="not_sent", channel=channel)
        elif channel == "email" and person.email:
            self._sender.send_email(person.email, RESET_MAIL_SUBJECT, RESET_MAIL.format(code=code))
        else:
            self._sender.send_sms(person.phone, RESET_SMS.format(code=code))

    def _save(self, pending: PendingReset) -> None:
        remaining = self._ttl - (int(time.time()) - pending.created_at)
        if remaining <= 0:
            raise CodeExpired()
        self._store.set(f"reset:{pending.id}", json.dumps(asdict(pending)), ttl=remaining)

    def load(self, reset_id: str | None) -> PendingReset:
        raw = self._store.get(f"reset:{reset_id}") if reset_id else None
        if raw is None:
            raise CodeExpired()
        data = json.loads(raw)
        return PendingReset(**{k: v for k, v in data.items() if k in PendingReset.__dataclass_fields__})

    def check_code(self, pending: PendingReset, code: str) -> None:
        """Compare at most ``attempts`` candidates, however many requests arrive at once: each
        try is counted with the store's atomic ``incr`` *before* the comparison."""
        used = self._store.incr(f"reset-attempts:{pending.id}", ttl=self._ttl)
        if used > self._attempts:
            audit.record("password_reset_code", result="attempts_exhausted", person_oid=pending.person_oid)
            raise CodeExpired()
        candidate = secret_digest(f"{pending.id}:{code.strip()}")
        if not constant_time_equals(candidate, pending.code_hash):
            audit.record("password_reset_code", result="wrong", person_oid=pending.person_oid)
            raise CodeExpired() if used >= self._attempts else CodeInvalid()
        pending.verified = True
        self._save(pending)
        audit.record("password_reset_code", person_oid=pending.person_oid)

    def complete(
        self, pending: PendingReset, new: str, confirm: str, *, policy: passwords.PasswordPolicy, url: str
    ) -> Person:
        person = db.session.get(Person, pending.person_oid) if pending.person_oid else None
        if not pending.verified or person is None:
            raise FactorRequired()
        set_password(
            person, new, confirm, policy=policy, reason="reset", end_everything=self._lifecycle.end_everything_for
        )
        self._store.delete(f"reset:{pending.id}")
        notify_change(self._sender, person, "password_reset", url=url)
        return person
