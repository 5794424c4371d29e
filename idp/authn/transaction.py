"""One login in progress, kept in the short-lived store under a random id.

A transaction records who the password identified and which factors are complete; it
never holds a secret. It is bound to one browser via the signed session cookie.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field

from idp.adapters.store import ShortLivedStore
from idp.authn.errors import TransactionExpired
from idp.security.hashes import new_token


@dataclass
class LoginTransaction:
    id: str
    next_url: str
    created_at: int
    person_oid: int | None = None
    factors: list[str] = field(default_factory=list)
    required_acr: str = ""
    pending: str = ""  # the factor the person chose and began (not yet verified)

    def complete_factor(self, factor: str) -> None:
        if factor not in self.factors:
            self.factors.append(factor)


class TransactionRepository:
    def __init__(self, store: ShortLivedStore, *, ttl: int) -> None:
        self._store = store
        self._ttl = ttl

    def start(self, next_url: str, *, required_acr: str = "") -> LoginTransaction:
        tx = LoginTransaction(
            id=new_token(24), next_url=next_url, created_at=int(time.time()), required_acr=required_acr
        )
        self.save(tx)
        return tx

    def renew(self, tx: LoginTransaction) -> LoginTransaction:
        """Same state under a new id, the old id dead: the browser's handle changes after
        every authentication step, so a handle seen before a step is useless after it."""
        self._store.delete(f"login:{tx.id}")
        tx.id = new_token(24)
        self.save(tx)
        return tx

    def save(self, tx: LoginTransaction) -> None:
        remaining = self._ttl - (int(time.time()) - tx.created_at)
        if remaining <= 0:
            raise TransactionExpired()
        self._store.set(f"login:{tx.id}", json.dumps(asdict(tx)), ttl=remaining)

    def load(self, tx_id: str | None) -> LoginTransaction:
        raw = self._store.get(f"login:{tx_id}") if tx_id else None
        if raw is None:
            raise TransactionExpired()
        return LoginTransaction(**json.loads(raw))

    def finish(self, tx: LoginTransaction) -> LoginTransaction:
        """Consume the transaction atomically: a finished login is handed out once."""
        raw = self._store.consume(f"login:{tx.id}")
        if raw is None:
            raise TransactionExpired()
        return LoginTransaction(**json.loads(raw))
