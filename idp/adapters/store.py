"""The short-lived store: TTL'd values, atomic consumption and counters.

Used for login transactions, authorization codes, OTP state, replay caches and rate limits.
Two implementations pass the same test suite: :class:`RedisStore` for production and
:class:`EmbeddedStore`, a process-local store that is correct under the default ``make run``
server (one gunicorn worker with threads). Production refuses ``EmbeddedStore`` with more
than one worker (see ``IdpSettings.check``).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, Protocol

import redis
import redis.connection
from redis.backoff import NoBackoff
from redis.retry import Retry
from redis.utils import SENTINEL

from idp.adapters import budget
from idp.adapters.circuit import CircuitBreaker, CircuitOpen


class StoreUnavailable(RuntimeError):
    """The store cannot be reached; callers fail closed (503), never open.

    ``retry_after``: whole seconds after which a retry may succeed (the open circuit's cool-down
    left), or ``None`` when nothing better than the web layer's default is known. A plain
    attribute: this layer does not know the error model (``idp.errors``).
    """

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


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


_time_left: ContextVar[Callable[[], float] | None] = ContextVar("gosid_store_call_time_left", default=None)
"""While a :class:`RedisStore` call made within a request runs: the seconds its budget has left."""


def _capped(timeout: float | None) -> float | None:
    """``timeout`` lowered to what the running call's budget has left (if it has one)."""
    left = _time_left.get()
    if left is None:
        return timeout
    cap = max(left(), 0.001)  # never 0: a zero timeout would make the socket non-blocking
    return cap if timeout is None else min(timeout, cap)


class _BudgetCapped(redis.connection.AbstractConnection):
    """A connection whose reads and connects wait at most the running call's budget left.

    redis-py takes a per-read ``timeout`` (``read_response(timeout=...)``) and restores the
    socket's own timeout afterwards; the connect timeout is lowered for the one connect only.
    Sends are not capped: a command is small and goes to the kernel's buffer.
    """

    def read_response(
        self,
        disable_decoding: bool = False,
        *,
        timeout: float | object = SENTINEL,
        disconnect_on_error: bool = True,
        push_request: bool = False,
    ) -> Any:
        if timeout is SENTINEL and _time_left.get() is not None:
            timeout = _capped(self.socket_timeout)
        return super().read_response(
            disable_decoding, timeout=timeout, disconnect_on_error=disconnect_on_error, push_request=push_request
        )

    def _connect(self) -> Any:
        saved = self.socket_connect_timeout
        self.socket_connect_timeout = _capped(saved)
        try:
            return super()._connect()  # type: ignore[safe-super]  # the concrete connection's, next in the MRO
        finally:
            self.socket_connect_timeout = saved


class _CappedConnection(_BudgetCapped, redis.connection.Connection):
    pass


class _CappedSSLConnection(_BudgetCapped, redis.connection.SSLConnection):
    pass


class _CappedUnixConnection(_BudgetCapped, redis.connection.UnixDomainSocketConnection):
    pass


def _connection_class(url: str) -> type[redis.connection.AbstractConnection]:
    if url.startswith("rediss://"):
        return _CappedSSLConnection
    if url.startswith("unix://"):
        return _CappedUnixConnection
    return _CappedConnection


class RedisStore:
    """Redis-backed store; GETDEL makes consumption atomic across processes.

    A sick Redis must not starve the workers (README, "Operating in production"):

    - every call is one attempt bounded by ``connect_timeout`` and ``read_timeout``;
    - the calls of one request share the request's :class:`~idp.adapters.budget.StoreBudget`:
      each call waits at most what is left of it (reads and connect capped), and once it is
      spent the next call fails fast; a call the budget cut short is not counted by the breaker
      (Redis may be merely slow), so keep the budget above ``read_timeout`` (defaults 1 s, 0.5 s);
    - a :class:`~idp.adapters.circuit.CircuitBreaker` (default: 5 failures, 10 s cool-down)
      makes every call fail fast while Redis keeps failing, trying one call after the cool-down.

    Each refusal is :class:`StoreUnavailable` (a 503); while the circuit is open it carries the
    cool-down left as ``retry_after``. ``clock`` (monotonic) times the calls.
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
            connection_class=_connection_class(url),
        )
        self._prefix = prefix
        self._longest_wait = max(connect_timeout, read_timeout)
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
            raise StoreUnavailable(f"Redis is failing: {exc}", retry_after=_whole_seconds(exc.retry_in)) from exc
        started = self._clock()
        left = None if spending is None else spending.remaining
        capped = left is not None and left < self._longest_wait  # the budget, not a timeout, ends the wait
        token = _time_left.set(None if left is None else lambda: started + left - self._clock())
        try:
            result = fn()
        except redis.TimeoutError as exc:
            if capped and spending is not None:
                self.breaker.inconclusive()
                spending.exhaust()
                raise StoreUnavailable(
                    f"this request's store budget ({spending.seconds:g} s) ran out waiting for Redis: {exc}"
                ) from exc
            self.breaker.failed()
            raise StoreUnavailable(f"Redis is unavailable: {exc}", retry_after=self._retry_after()) from exc
        except redis.RedisError as exc:
            self.breaker.failed()
            raise StoreUnavailable(f"Redis is unavailable: {exc}", retry_after=self._retry_after()) from exc
        except BaseException:
            self.breaker.succeeded()  # Redis answered; the error is ours (or an interrupt)
            raise
        finally:
            _time_left.reset(token)
            if spending is not None:
                spending.charge(self._clock() - started)
        self.breaker.succeeded()
        return result

    def _retry_after(self) -> int | None:
        """The cool-down left if this failure (or an earlier one) opened the circuit."""
        retry_in = self.breaker.retry_in()
        return None if retry_in is None else _whole_seconds(retry_in)

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


def _whole_seconds(seconds: float) -> int:
    """A ``Retry-After``: rounded up, at least 1."""
    return max(1, math.ceil(seconds))


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
