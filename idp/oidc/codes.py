"""Authorization codes live in the short-lived store and are consumed atomically."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from idp.adapters.store import ShortLivedStore
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


class CodeRepository:
    def __init__(self, store: ShortLivedStore, *, ttl: int) -> None:
        self._store = store
        self._ttl = ttl

    def save(self, code: str, data: AuthorizationCode) -> None:
        self._store.set(f"code:{secret_digest(code)}", json.dumps(asdict(data)), ttl=self._ttl)

    def mark_redeemed(self, code: str, *, family_id: str | None, access_jti: str, access_exp: int, ttl: int) -> None:
        """Remember what a code produced, so that a replay can revoke it (RFC 9700 §4.2.4)."""
        record = {"family_id": family_id, "jti": access_jti, "exp": access_exp}
        self._store.set(f"code-used:{secret_digest(code)}", json.dumps(record), ttl=ttl)

    def redeemed(self, code: str) -> dict[str, Any] | None:
        raw = self._store.consume(f"code-used:{secret_digest(code)}")
        return dict(json.loads(raw)) if raw else None

    def consume(self, code: str) -> AuthorizationCode | None:
        """Return the code's data once; every later or parallel call gets ``None``."""
        raw = self._store.consume(f"code:{secret_digest(code)}")
        return AuthorizationCode(**json.loads(raw)) if raw else None
