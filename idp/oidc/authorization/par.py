"""Pushed authorization requests (RFC 9126): stored briefly, used once, at code issuance."""

from __future__ import annotations

import json

from werkzeug.datastructures import MultiDict

from idp.adapters.store import ShortLivedStore
from idp.security.hashes import new_token

URN_PREFIX = "urn:ietf:params:oauth:request_uri:"
# Parameters that authenticate the pushing client; never part of the authorization request.
CLIENT_AUTH_PARAMS = {"client_secret", "client_assertion", "client_assertion_type"}


class PushedRequests:
    def __init__(self, store: ShortLivedStore, *, ttl: int = 90) -> None:
        self._store, self.ttl = store, ttl

    def push(self, client_id: str, params: MultiDict[str, str]) -> str:
        kept = [(k, v) for k, v in params.items(multi=True) if k not in CLIENT_AUTH_PARAMS]
        request_id = new_token(32)
        record = {"client_id": client_id, "params": kept}
        self._store.set(f"par:{request_id}", json.dumps(record), ttl=self.ttl)
        return URN_PREFIX + request_id

    def _key(self, request_uri: str) -> str | None:
        if not request_uri.startswith(URN_PREFIX):
            return None
        return f"par:{request_uri[len(URN_PREFIX) :]}"

    def peek(self, request_uri: str, client_id: str | None) -> MultiDict[str, str] | None:
        """The pushed parameters, if the URI is live and belongs to ``client_id``."""
        key = self._key(request_uri)
        raw = self._store.get(key) if key else None
        if raw is None:
            return None
        record = json.loads(raw)
        if record["client_id"] != client_id:
            return None
        return MultiDict([(k, v) for k, v in record["params"]])

    def consume(self, request_uri: str) -> bool:
        """Use the request URI up; of two parallel uses exactly one gets ``True``."""
        key = self._key(request_uri)
        return bool(key) and self._store.consume(key) is not None  # type: ignore[arg-type]
