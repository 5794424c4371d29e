"""E-mail confirmation link: a one-time link, valid 10 minutes, bound to one pending login.

The link may be opened on any device (a phone's mail app, say); confirming there completes the
login in the browser that started it, which polls for the result. Only the link's digest is
stored. The confirmation page names the browser, address and time of the login attempt, so a
person who did not start it can refuse; confirming takes a POST, so mail scanners that fetch
links do not confirm anything.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from idp.accounts.models import Person
from idp.adapters.store import ShortLivedStore
from idp.audit import log as audit
from idp.authn.errors import CodeExpired, FactorPending, ResendTooSoon
from idp.authn.origin import Origin
from idp.factors.base import Challenge, FactorResult
from idp.factors.send_limits import SendLimits
from idp.outbox.senders import MessageSender
from idp.security.hashes import new_token, secret_digest

SUBJECT = "Госуслуги (gosid): подтверждение входа"
BODY = (
    "Здравствуйте!\n\nКто-то входит в вашу учётную запись: {browser}, IP {ip}.\n"
    "Если это вы, откройте ссылку и подтвердите вход (действует 10 минут, один раз):\n{url}\n\n"
    "Если это не вы, ничего не делайте и смените пароль."
)


@dataclass(frozen=True)
class PendingConfirmation:
    """What the link's page shows before the person confirms."""

    tx_id: str
    person_oid: int
    browser: str
    ip: str
    started_at: int


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return (local[:2] + "***@" + domain) if domain else "***"


class EmailLinkFactor:
    name = "email"

    def __init__(
        self,
        *,
        store: ShortLivedStore,
        sender: MessageSender,
        base_url: str,
        ttl: int = 600,
        cooldown: int = 30,
        limits: SendLimits | None = None,
    ) -> None:
        self._store, self._sender, self._base_url = store, sender, base_url.rstrip("/")
        self._limits = limits
        self._ttl, self._cooldown = ttl, cooldown

    def available(self, person: Person) -> bool:
        return bool(person.email and person.email_verified)

    def begin(self, tx: Any, person: Person, origin: Origin) -> Challenge:
        browser, ip = origin.browser, origin.ip
        if not self._store.add(f"email-cooldown:{tx.id}", "1", ttl=self._cooldown):
            raise ResendTooSoon(self._store.ttl(f"email-cooldown:{tx.id}") or self._cooldown)
        if self._limits is not None and person.email:
            self._limits.check(person.email.lower(), ip=ip)
        token = new_token(32)
        pending = PendingConfirmation(tx.id, person.oid, browser[:120], ip, int(time.time()))
        self._store.set(f"email-link:{secret_digest(token)}", json.dumps(pending.__dict__), ttl=self._ttl)
        self._store.set(f"email-wait:{tx.id}", "1", ttl=self._ttl)
        url = f"{self._base_url}/login/email/confirm/{token}"
        assert person.email is not None
        self._sender.send_email(person.email, SUBJECT, BODY.format(browser=browser or "?", ip=ip or "?", url=url))
        audit.record("email_link_sent", person_oid=person.oid)
        return Challenge(factor=self.name, detail={"email": mask_email(person.email), "ttl": self._ttl})

    def describe(self, tx: Any, person: Person) -> dict[str, Any]:
        return {"email": mask_email(person.email or ""), "waiting": self._store.get(f"email-wait:{tx.id}") is not None}

    def peek(self, token: str) -> PendingConfirmation | None:
        raw = self._store.get(f"email-link:{secret_digest(token)}")
        return PendingConfirmation(**json.loads(raw)) if raw else None

    def confirm(self, token: str) -> PendingConfirmation | None:
        """Use the link (once): the login it belongs to may now finish. None if the link is
        unknown, used or expired."""
        raw = self._store.consume(f"email-link:{secret_digest(token)}")
        if raw is None:
            audit.record("email_link_confirmed", result="unknown_or_used")
            return None
        pending = PendingConfirmation(**json.loads(raw))
        if self._store.get(f"email-wait:{pending.tx_id}") is None:
            audit.record("email_link_confirmed", result="expired", person_oid=pending.person_oid)
            return None
        self._store.set(f"email-ok:{pending.tx_id}", "1", ttl=self._ttl)
        audit.record("email_link_confirmed", person_oid=pending.person_oid)
        return pending

    def verify(self, tx: Any, person: Person, response: str) -> FactorResult:
        if self._store.consume(f"email-ok:{tx.id}") is not None:
            self._store.delete(f"email-wait:{tx.id}")
            audit.record("email_link_checked", person_oid=person.oid)
            return FactorResult(factor=self.name, amr="email")
        if self._store.get(f"email-wait:{tx.id}") is not None:
            raise FactorPending()
        raise CodeExpired()
