"""Authorization codes live in the short-lived store and are consumed atomically; that a code was
redeemed, and what it produced, lives in the database (:class:`idp.replay.used_values.UsedValues`), so a
code brought back by a store restored from an older snapshot is still refused, and a replay after
the store was emptied still revokes what the first redemption issued (RFC 9700 §4.2.4)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from idp.adapters.store import ShortLivedStore
from idp.replay.used_values import UsedValues
from idp.security.hashes import secret_digest


@dataclass(frozen=True)
class AuthorizationCode:
    client_id: str
    redirect_uri: str
    scope: str
    person_oid: int
    auth_time: int
    amr: list[str]
    acr: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    session_id: str | None = None
    claims: str | None = None
    dpop_jkt: str | None = None

    # Authlib's AuthorizationCodeMixin / OIDC accessors
    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str:
        return self.acr

    def get_amr(self) -> list[str]:
        return self.amr


REDEEMED = "code"  # the UsedValues namespace of redeemed codes


class CodeRepository:
    """``family_ttl``: how long a refresh-token family lives, so a replay can revoke it until it dies."""

    def __init__(
        self, store: ShortLivedStore, *, ttl: int, used: UsedValues | None = None, family_ttl: int = 0
    ) -> None:
        self._store = store
        self._ttl = ttl
        self._used = used or UsedValues()
        self._family_ttl = family_ttl

    def save(self, code: str, data: AuthorizationCode) -> None:
        self._store.set(f"code:{secret_digest(code)}", json.dumps(asdict(data)), ttl=self._ttl)

    def mark_redeemed(self, code: str, *, family_id: str | None, access_jti: str, access_exp: int, ttl: int) -> None:
        """Remember what a code produced, so that a replay can revoke it (RFC 9700 §4.2.4): for at
        least ``ttl`` seconds, past the access token's ``exp`` and while its refresh family lives."""
        record = {"family_id": family_id, "jti": access_jti, "exp": access_exp}
        now = self._used.now()
        until = max(now + ttl, access_exp, now + self._family_ttl if family_id else 0)
        self._used.remember(REDEEMED, code, record=record, until=until)

    def redemption_committed(self, code: str) -> bool:
        """For a replay: wait until a redemption of ``code`` in progress ends (its transaction
        holds the code's row from :meth:`consume` on), then ``True`` if one committed
        (idp/oidc/code_replay.py). :meth:`consume` records the row before it takes the code from
        the store, so no redemption can be in flight unrecorded; a code nobody redeemed leaves no row."""
        if self._used.first_use(REDEEMED, code, until=self._used.now() + self._ttl):
            self._used.forget(REDEEMED, code)
            return False
        return True

    def redeemed(self, code: str) -> dict[str, Any] | None:
        """What a redeemed code produced (once: a second replay finds nothing)."""
        return self._used.take(REDEEMED, code)

    def consume(self, code: str) -> AuthorizationCode | None:
        """Return the code's data once; every later or parallel call gets ``None``.

        The code's row in the database comes first: a parallel redemption or replay waits on it
        until this transaction ends. Then the store: a code back in a restored store after its
        redemption, or never issued, gets ``None``."""
        if not self._used.first_use(REDEEMED, code, until=self._used.now() + self._ttl):
            return None
        raw = self._store.consume(f"code:{secret_digest(code)}")
        if raw is None:  # never issued or expired: not a redemption worth remembering
            self._used.forget(REDEEMED, code)
            return None
        return AuthorizationCode(**json.loads(raw))
