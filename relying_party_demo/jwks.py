"""The IdP's signing keys (JWKS), fetched over HTTP and cached in-process.

A token signed with a key we have not seen triggers at most one refetch per cooldown, so a
flood of tokens with made-up ``kid`` values cannot turn the RP into a JWKS-fetching amplifier.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from relying_party_demo.errors import IdpUnavailable
from relying_party_demo.idp_http import get_json_object

log = logging.getLogger(__name__)

UNKNOWN_KID_COOLDOWN_SECONDS = 30.0


class JwksFetcher(Protocol):
    def key_set(self) -> KeySet:
        """The cached key set, fetched if missing or stale."""
        ...

    def refresh_for_unknown_kid(self) -> KeySet | None:
        """A freshly fetched key set, or ``None`` if the cooldown forbids fetching now."""
        ...


class HttpJwksFetcher:
    def __init__(
        self,
        jwks_uri: str | Callable[[], str],
        *,
        timeout: float = 5.0,
        cache_seconds: float = 300.0,
        cooldown_seconds: float = UNKNOWN_KID_COOLDOWN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._jwks_uri = jwks_uri
        self._timeout = timeout
        self._cache_seconds = cache_seconds
        self._cooldown = cooldown_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: KeySet | None = None
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None

    def key_set(self) -> KeySet:
        with self._lock:
            now = self._clock()
            fresh = self._fetched_at is not None and now - self._fetched_at < self._cache_seconds
            if self._keys is not None and fresh:
                return self._keys
            return self._fetch(now)

    def refresh_for_unknown_kid(self) -> KeySet | None:
        with self._lock:
            now = self._clock()
            if self._attempted_at is not None and now - self._attempted_at < self._cooldown:
                return None
            return self._fetch(now)

    def _fetch(self, now: float) -> KeySet:
        self._attempted_at = now
        try:
            keys = self._download()
        except IdpUnavailable:
            if self._keys is None:
                raise
            # Keep verifying with the keys we have rather than failing every request.
            log.warning("JWKS refresh failed; keeping the previously fetched keys", exc_info=True)
            return self._keys
        self._keys, self._fetched_at = keys, now
        return keys

    def _download(self) -> KeySet:
        uri = self._jwks_uri() if callable(self._jwks_uri) else self._jwks_uri
        document = get_json_object(uri, timeout=self._timeout)
        if not isinstance(document.get("keys"), list):
            raise IdpUnavailable(f"{uri} is not a JWK set (no 'keys' list)")
        try:
            return KeySet.import_key_set({"keys": document["keys"]})
        except (JoseError, ValueError, TypeError) as exc:
            raise IdpUnavailable(f"{uri} holds a malformed key: {exc}") from exc
