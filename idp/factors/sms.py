"""SMS one-time code: 6 digits from a CSPRNG, stored hashed, bounded life and attempts.

Limits live here, not in the view: a code expires after ``ttl`` seconds, allows
``attempts`` tries, and a new code cannot be sent before ``cooldown`` seconds.
"""

from __future__ import annotations

import json
import secrets
from typing import Any, Protocol

from idp.accounts.models import Person
from idp.adapters.store import ShortLivedStore
from idp.audit import log as audit
from idp.authn.errors import CodeExpired, CodeInvalid, ResendTooSoon, SendLimitReached
from idp.authn.origin import Origin
from idp.factors.base import Challenge, FactorResult
from idp.factors.send_limits import SendLimits
from idp.outbox.senders import DeliveryFailed, MessageSender
from idp.security.hashes import constant_time_equals, secret_digest


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def mask_phone(phone: str) -> str:
    return phone[:2] + " *** ***-" + phone[-4:-2] + "-" + phone[-2:]


class SmsRecipient(Protocol):
    @property
    def phone(self) -> str: ...

    @property
    def oid(self) -> int | None: ...


class CodeHolder(Protocol):
    @property
    def id(self) -> str: ...


DEFAULT_TEXT = "Код для входа на Госуслуги (gosid): {code}. Никому его не сообщайте."


class SmsCodeFactor:
    name = "sms"

    def __init__(
        self,
        *,
        store: ShortLivedStore,
        sender: MessageSender,
        ttl: int,
        attempts: int,
        cooldown: int,
        limits: SendLimits | None = None,
    ) -> None:
        self._limits = limits
        self._store = store
        self._sender = sender
        self._ttl = ttl
        self._attempts = attempts
        self._cooldown = cooldown

    def _key(self, tx: CodeHolder) -> str:
        return f"sms:{tx.id}"

    def available(self, person: Person) -> bool:
        return bool(person.phone and person.phone_verified)

    def describe(self, tx: CodeHolder, person: SmsRecipient) -> dict[str, Any]:
        return {"phone": mask_phone(person.phone), "sent": self._store.get(self._key(tx)) is not None}

    def begin(
        self, tx: CodeHolder, person: SmsRecipient, origin: Origin, *, text: str = DEFAULT_TEXT, decoy: bool = False
    ) -> Challenge:
        """Send a fresh code unless one was sent within the cooldown.

        With ``decoy=True`` the message (``text``) carries no code and no code will match:
        registration uses it for numbers that already have an account, so the page a
        stranger sees does not reveal whether the number is registered.
        """
        if not self._store.add(f"sms-cooldown:{tx.id}", "1", ttl=self._cooldown):
            raise ResendTooSoon(self._store.ttl(f"sms-cooldown:{tx.id}") or self._cooldown)
        if self._limits is not None:
            try:
                self._limits.check(person.phone, ip=origin.ip)
            except SendLimitReached:
                self._store.delete(f"sms-cooldown:{tx.id}")
                raise
        code = new_code()
        secret = secrets.token_hex(16) if decoy else code
        state = {"hash": secret_digest(f"{tx.id}:{secret}"), "gen": secrets.token_hex(8)}
        self._store.set(self._key(tx), json.dumps(state), ttl=self._ttl)
        try:
            self._sender.send_sms(person.phone, text.format(code=code))
        except DeliveryFailed:  # nothing was sent: no code to check, and the person may ask again now
            self._store.delete(self._key(tx))
            self._store.delete(f"sms-cooldown:{tx.id}")
            raise
        audit.record("sms_code_sent", person_oid=person.oid)
        return Challenge(factor=self.name, detail={"phone": mask_phone(person.phone), "ttl": self._ttl})

    def verify(self, tx: CodeHolder, person: SmsRecipient, response: str) -> FactorResult:
        raw = self._store.get(self._key(tx))
        if raw is None:
            audit.record("sms_code_checked", result="expired", person_oid=person.oid)
            raise CodeExpired()
        state = json.loads(raw)
        used = self._store.incr(f"sms-attempts:{state['gen']}", ttl=self._ttl)
        if used > self._attempts:
            self._store.delete(self._key(tx))
            audit.record("sms_code_checked", result="attempts_exhausted", person_oid=person.oid)
            raise CodeExpired()
        candidate = secret_digest(f"{tx.id}:{response.strip()}")
        if not constant_time_equals(candidate, state["hash"]):
            if used == self._attempts:
                self._store.delete(self._key(tx))
            audit.record("sms_code_checked", result="wrong", person_oid=person.oid)
            raise CodeInvalid()
        # One use only: whoever consumes the stored code first wins.
        if self._store.consume(self._key(tx)) is None:
            raise CodeExpired()
        audit.record("sms_code_checked", person_oid=person.oid)
        return FactorResult(factor=self.name, amr="sms")
