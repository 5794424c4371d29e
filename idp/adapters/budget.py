"""How much time one request may spend waiting for the short-lived store.

The web layer binds a :class:`StoreBudget` at the start of each request
(``idp/web/store_budget.py``); the Redis store charges the time of every call to it and, once it
is spent, refuses the next call at once (``StoreUnavailable``, a 503) instead of letting a slow
store stretch the request call by call. Each call also waits at most what is left (its socket
reads and connect are capped by :attr:`StoreBudget.remaining`), so a request's worst case is the
budget, not the budget plus one read timeout. Outside a request (CLI, background work) nothing is bound
and store calls are limited by their socket timeouts only. Domain code never sees this.
"""

from __future__ import annotations

import threading
from contextvars import ContextVar


class StoreBudget:
    """Seconds left for store calls in one request (charged by the store, thread-safe)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._spent = 0.0
        self._lock = threading.Lock()

    @property
    def spent(self) -> float:
        with self._lock:
            return self._spent

    @property
    def exhausted(self) -> bool:
        with self._lock:
            return self._spent >= self.seconds

    @property
    def remaining(self) -> float:
        """Seconds left (0 once spent): the most the next store call may wait."""
        with self._lock:
            return max(0.0, self.seconds - self._spent)

    def charge(self, seconds: float) -> None:
        with self._lock:
            self._spent += max(0.0, seconds)

    def exhaust(self) -> None:
        """Mark the budget spent (a call waited all that was left and timed out)."""
        with self._lock:
            self._spent = max(self._spent, self.seconds)


_current: ContextVar[StoreBudget | None] = ContextVar("gosid_store_budget", default=None)


def bind(budget: StoreBudget) -> None:
    _current.set(budget)


def clear() -> None:
    _current.set(None)


def current() -> StoreBudget | None:
    return _current.get()
