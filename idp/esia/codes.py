"""ESIA authorization codes: in the short-lived store, consumed atomically; their redemption and
the refresh family it produced in the database (:class:`idp.replay.used_values.UsedValues`), as for
OpenID Connect codes (idp/oidc/codes.py)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from idp.adapters.store import ShortLivedStore
from idp.replay.used_values import UsedValues
from idp.security.hashes import new_token, secret_digest


@dataclass(frozen=True)
class EsiaGrant:
    """What a code (or a refresh token) stands for."""

    client_id: str
    redirect_uri: str
    scopes: list[str]
    person_oid: int
    auth_time: int
    amr: list[str]
    sid: str


REDEEMED = "esia-code"  # the UsedValues namespace of redeemed ESIA codes


class EsiaCodes:
    def __init__(
        self, store: ShortLivedStore, *, ttl: int, used: UsedValues | None = None, family_ttl: int = 0
    ) -> None:
        self._store = store
        self._ttl = ttl
        self._used = used or UsedValues()
        self._family_ttl = family_ttl  # a replay revokes the family while it can live

    def issue(self, grant: EsiaGrant) -> str:
        code = new_token(32)
        self._store.set(f"esia:code:{secret_digest(code)}", json.dumps(asdict(grant)), ttl=self._ttl)
        return code

    def consume(self, code: str) -> EsiaGrant | None:
        """The grant once; every later or parallel call gets ``None``."""
        if not self._used.first_use(REDEEMED, code, until=self._used.now() + self._ttl):
            return None  # used (a parallel redemption waits here until the first one's transaction ends)
        raw = self._store.consume(f"esia:code:{secret_digest(code)}")
        if raw is None:  # never issued or expired: not a redemption worth remembering
            self._used.forget(REDEEMED, code)
            return None
        return EsiaGrant(**json.loads(raw))

    def mark_redeemed(self, code: str, *, family_id: str, ttl: int) -> None:
        """Remember which grant a redeemed code produced, so that a replay can revoke it."""
        until = self._used.now() + max(ttl, self._family_ttl)
        self._used.remember(REDEEMED, code, record={"family_id": family_id}, until=until)

    def redeemed(self, code: str) -> str | None:
        """The refresh family a redeemed code produced (once: a second replay finds nothing)."""
        record = self._used.take(REDEEMED, code)
        return str(record["family_id"]) if record else None
