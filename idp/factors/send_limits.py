"""How many messages with codes one phone (or e-mail) and one IP may trigger per hour.

Stops an attacker from flooding a number with SMS (and the bill with it) through the login,
registration or reset forms. Counted before sending; every refusal is audited.
"""

from __future__ import annotations

from idp.adapters.store import ShortLivedStore
from idp.audit import log as audit
from idp.authn.errors import SendLimitReached

HOUR = 3600


class SendLimits:
    def __init__(self, store: ShortLivedStore, *, per_recipient: int = 10, per_ip: int = 30) -> None:
        self._store, self._per_recipient, self._per_ip = store, per_recipient, per_ip

    def check(self, recipient: str, *, ip: str) -> None:
        """Count one message to ``recipient`` asked for from ``ip`` ("" when unknown: not counted)."""
        for key, limit in ((f"send-to:{recipient}", self._per_recipient), (f"send-ip:{ip}", self._per_ip)):
            if not key.partition(":")[2]:
                continue
            if self._store.incr(key, ttl=HOUR) > limit:
                audit.record("code_send_limited", result=key.split(":")[0])
                raise SendLimitReached(self._store.ttl(key) or HOUR)
