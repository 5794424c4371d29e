"""The short-lived store: TTL'd values, atomic consumption and counters.

Used for login transactions, authorization codes, OTP state, replay caches and rate limits.
Two implementations pass the same test suite: :class:`RedisStore` for production and
:class:`EmbeddedStore`, a process-local store that is correct under the default ``make run``
server (one gunicorn worker with threads). Production refuses ``EmbeddedStore`` with more
than one worker (see ``IdpSettings.check``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from idp.adapters import budget
from idp.adapters.circuit import CircuitBreaker, CircuitOpen


class StoreUnavailable(RuntimeError):
    """The store cannot be reached; callers fail closed (503), never open."""


class ShortLivedStore(Protocol):
    def set(self, key: str, value: str, *, ttl: int) -> None: ...
    def add(self, key: str, value: str, *, ttl: int) -> bool: ...
    def get(self, key: str) -> str | None: ...
    def consume(self, key: str) -> str | None: ...
    def delete(self, key: str) -> None: ...
    def incr(self, key: str, *, ttl: int) -> int: ...
    def ttl(self, key: str) -> int | None: ...


class EmbeddedStore:
    """A thread-safe in-process store; expiry is checked on access."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._data: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()
        self._clock = clock
        self._writes = 0

    def _live(self, key: str) -> str | None:
        item = self._data.get(key)
        if item is None:
            return None
        if item[1] <= self._clock():
            del self._data[key]
            return None
        return item[0]

    def _sweep(self) -> None:
        # Amortised clean-up so abandoned keys cannot grow memory without bound.
        self._writes += 1
        if self._writes % 1024:
            return
        now = self._clock()
        for key in [k for k, (_, exp) in self._data.items() if exp <= now]:
            del self._data[key]

    def set(self, key: str, value: str, *, ttl: int) -> None:
        with self._lock:
            self._data[key] = (value, self._clock() + ttl)
            self._sweep()

    def add(self, key: str, value: str, *, ttl: int) -> bool:
        with self._lock:
            if self._live(key) is not None:
                return False
            self._data[key] = (value, self._clock() + ttl)
            self._sweep()
            return True

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._live(key)

    def consume(self, key: str) -> str | None:
        with self._lock:
            value = self._live(key)
            self._data.pop(key, None)
            return value

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def incr(self, key: str, *, ttl: int) -> int:
        with self._lock:
            current = self._live(key)
            if current is None:
                self._data[key] = ("1", self._clock() + ttl)
                self._sweep()
                return 1
            value = int(current) + 1
            self._data[key] = (str(value), self._data[key][1])
            return value

    def ttl(self, key: str) -> int | None:
        with self._lock:
            if self._live(key) is None:
                return None
            return max(0, int(self._data[key][1] - self._clock()))


class RedisStore:
    """Redis-backed store; GETDEL makes consumption atomic across processes.

    A sick Redis must not starve the workers (README, "Operating in production"):

    - every call is one attempt bounded by ``connect_timeout`` and ``read_timeout``;
    - the calls of one request share the request's :class:`~idp.adapters.budget.StoreBudget`:
      once it is spent the next call fails fast;
    - a :class:`~idp.adapters.circuit.CircuitBreaker` (default: 5 failures, 10 s cool-down)
      makes every call fail fast while Redis keeps failing, trying one call after the cool-down.

    Each refusal is :class:`StoreUnavailable` (a 503). ``clock`` (monotonic) times the calls.
    """

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "gosid:",
        connect_timeout: float = 0.5,
        read_timeout: float = 0.5,
        breaker: CircuitBreaker | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._redis = redis.Redis.from_url(
            url,
            decode_responses=True,
            socket_connect_timeout=connect_timeout,
            socket_timeout=read_timeout,
            retry=Retry(NoBackoff(), 0),  # one attempt: the budget and the breaker are the policy
        )
        self._prefix = prefix
        self._clock = clock
        self.breaker = breaker or CircuitBreaker(failures=5, cool_down=10.0, clock=clock)

    def _k(self, key: str) -> str:
        return self._prefix + key

    def _call(self, fn: Callable[[], object]) -> object:
        spending = budget.current()
        if spending is not None and spending.exhausted:
            raise StoreUnavailable(f"this request's store budget ({spending.seconds:g} s) is spent")
        try:
            self.breaker.allow()
        except CircuitOpen as exc:
            raise StoreUnavailable(f"Redis is failing: {exc}") from exc
        started = self._clock()
        try:
            result = fn()
        except redis.RedisError as exc:
            self.breaker.failed()
            raise StoreUnavailable(f"Redis is unavailable: {exc}") from exc
        except BaseException:
            self.breaker.succeeded()  # Redis answered; the error is ours (or an interrupt)
            raise
        finally:
            if spending is not None:
                spending.charge(self._clock() - started)
        self.breaker.succeeded()
        return result

    def set(self, key: str, value: str, *, ttl: int) -> None:
        self._call(lambda: self._redis.set(self._k(key), value, ex=ttl))

    def add(self, key: str, value: str, *, ttl: int) -> bool:
        return bool(self._call(lambda: self._redis.set(self._k(key), value, ex=ttl, nx=True)))

    def get(self, key: str) -> str | None:
        return self._call(lambda: self._redis.get(self._k(key)))  # type: ignore[return-value]

    def consume(self, key: str) -> str | None:
        return self._call(lambda: self._redis.getdel(self._k(key)))  # type: ignore[return-value]

    def delete(self, key: str) -> None:
        self._call(lambda: self._redis.delete(self._k(key)))

    def incr(self, key: str, *, ttl: int) -> int:
        def run() -> int:
            pipe = self._redis.pipeline()
            pipe.incr(self._k(key))
            pipe.expire(self._k(key), ttl, nx=True)
            return int(pipe.execute()[0])

        return self._call(run)  # type: ignore[return-value]

    def ttl(self, key: str) -> int | None:
        value = self._call(lambda: self._redis.ttl(self._k(key)))
        return None if not isinstance(value, int) or value < 0 else value

    def flush_prefix(self) -> None:
        """Delete this store's keys (tests use a unique prefix per run)."""
        for key in self._redis.scan_iter(self._prefix + "*"):
            self._redis.delete(key)


def open_store(
    url: str,
    *,
    prefix: str = "gosid:",
    connect_timeout: float = 0.5,
    read_timeout: float = 0.5,
    breaker_failures: int = 5,
    breaker_cool_down: float = 10.0,
) -> ShortLivedStore:
    """The store at ``url``; the timeouts and the breaker apply to Redis (``GOSID_STORE_*``)."""
    if url.startswith("memory:"):
        return EmbeddedStore()
    if url.startswith(("redis://", "rediss://", "unix://")):
        breaker = CircuitBreaker(failures=breaker_failures, cool_down=breaker_cool_down)
        return RedisStore(
            url, prefix=prefix, connect_timeout=connect_timeout, read_timeout=read_timeout, breaker=breaker
        )
    raise ValueError(f"GOSID_STORE_URL: unsupported scheme in {url!r} (use memory:// or redis://)")
