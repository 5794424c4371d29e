"""The short-lived store's clock, as the tests move it."""

from __future__ import annotations

from typing import Any


def expire_now(store: Any, prefix: str) -> int:
    """Let the lifetime of every store key starting with ``prefix`` run out now.

    The short-lived store's TTL is the only clock codes, request URIs and nonces have, so this
    is the same as waiting for it (without waiting). Returns how many keys it aged.
    """
    data = getattr(store, "_data", None)
    if data is not None:  # the embedded store: (value, expires_at) by key
        with store._lock:
            keys = [k for k in data if k.startswith(prefix)]
            for key in keys:
                data[key] = (data[key][0], store._clock() - 1)
        return len(keys)
    redis, full_prefix = store._redis, store._prefix + prefix
    keys = list(redis.scan_iter(full_prefix + "*"))
    for key in keys:
        redis.pexpireat(key, 1)  # an instant in the past: Redis drops the key now
    return len(keys)
