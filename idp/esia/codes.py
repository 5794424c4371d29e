"""ESIA authorization codes: in the short-lived store, consumed atomically."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from idp.adapters.store import ShortLivedStore
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


class EsiaCodes:
    def __init__(self, store: ShortLivedStore, *, ttl: int) -> None:
        self._store = store
        self._ttl = ttl

    def issue(self, grant: EsiaGrant) -> str:
        code = new_token(32)
        self._store.set(f"esia:code:{secret_digest(code)}", json.dumps(asdict(grant)), ttl=self._ttl)
        return code

    def consume(self, code: str) -> EsiaGrant | None:
        """The grant once; every later or parallel call gets ``None``."""
        raw = self._store.consume(f"esia:code:{secret_digest(code)}")
        return EsiaGrant(**json.loads(raw)) if raw else None

    def mark_redeemed(self, code: str, *, family_id: str, ttl: int) -> None:
        """Remember which grant a redeemed code produced, so that a replay can revoke it."""
        self._store.set(f"esia:code-used:{secret_digest(code)}", family_id, ttl=ttl)

    def redeemed(self, code: str) -> str | None:
        """The refresh family a redeemed code produced (once: a second replay finds nothing)."""
        return self._store.consume(f"esia:code-used:{secret_digest(code)}")
