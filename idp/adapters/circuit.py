"""A circuit breaker for a dependency that may become slow or unreachable (the Redis store).

After ``failures`` consecutive failed calls (errors or timeouts) the circuit *opens*: for
``cool_down`` seconds every call fails fast, without touching the dependency, so a sick store
costs a request nothing and cannot hold the workers' threads. When the cool-down has passed the
circuit is *half-open*: exactly one caller may try a call (the others still fail fast); its
success closes the circuit, its failure opens it for another cool-down.

The time comes from ``clock`` (a monotonic function, ``time.monotonic`` by default; tests pass
their own). Thread-safe: gunicorn threads share one breaker per process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from enum import Enum


class CircuitOpen(Exception):
    """The call was refused without trying: the circuit is open (or its one trial is running)."""

    def __init__(self, retry_in: float) -> None:
        super().__init__(f"circuit open; next trial in {retry_in:.1f} s")
        self.retry_in = retry_in


class CircuitState(Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    def __init__(self, *, failures: int, cool_down: float, clock: Callable[[], float] = time.monotonic) -> None:
        if failures < 1 or cool_down <= 0:
            raise ValueError("a circuit breaker needs failures >= 1 and cool_down > 0")
        self._threshold = failures
        self._cool_down = cool_down
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None  # set while open or half-open
        self._trial_running = False

    @property
    def state(self) -> CircuitState:
        with self._lock:
            if self._opened_at is None:
                return CircuitState.CLOSED
            if self._trial_running or self._clock() - self._opened_at >= self._cool_down:
                return CircuitState.HALF_OPEN
            return CircuitState.OPEN

    def allow(self) -> None:
        """Return if a call may go ahead; raise :class:`CircuitOpen` if it must fail fast."""
        with self._lock:
            if self._opened_at is None:
                return
            waited = self._clock() - self._opened_at
            if self._trial_running or waited < self._cool_down:
                raise CircuitOpen(max(0.0, self._cool_down - waited))
            self._trial_running = True  # half-open: this caller is the one trial

    def retry_in(self) -> float | None:
        """Seconds until a trial call may go ahead (0 when half-open), ``None`` when closed:
        what an outage answer's ``Retry-After`` tells the client."""
        with self._lock:
            if self._opened_at is None:
                return None
            return max(0.0, self._cool_down - (self._clock() - self._opened_at))

    def inconclusive(self) -> None:
        """The call ended without saying whether the dependency is sick (the request's own
        budget cut it short): nothing is counted, and a half-open trial is handed back so the
        next caller may try."""
        with self._lock:
            self._trial_running = False

    def succeeded(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._trial_running = False

    def failed(self) -> None:
        with self._lock:
            self._failures += 1
            if self._trial_running or self._failures >= self._threshold:
                self._opened_at = self._clock()
            self._trial_running = False
