"""The RP's clock: what time it is, behind one small interface with a real and a test twin.

Two roles use it, built once in :func:`relying_party_demo.services.build_services`:

- the *calendar* clock decides what is past, today and upcoming (slots, bookings, reminders,
  the default date of a card entry, the demo schedules);
- the *token* clock checks the freshness of what the IdP and API clients stamped (token ``exp``,
  DPoP proof ``iat``, logout tokens) and expires the replay caches kept for them.

In production both are :class:`SystemClock`. Tests freeze the calendar at chosen hours of the day
with :class:`FrozenClock` while tokens from the loopback IdP keep real time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that stands still until the test moves it."""

    def __init__(self, at: datetime) -> None:
        self._at = _aware(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = _aware(at)

    def advance(self, delta: timedelta) -> None:
        self._at += delta

    def __repr__(self) -> str:
        return f"FrozenClock({self._at.isoformat()})"


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("a frozen clock needs a timezone-aware instant")
    return at.astimezone(UTC)


def local_date(moment: datetime, timezone: str) -> date:
    """The date of ``moment`` in ``timezone`` (an IANA name, e.g. an organization's
    ``Europe/Moscow``): "today" there when ``moment`` is now."""
    return moment.astimezone(ZoneInfo(timezone)).date()


def epoch_seconds(clock: Clock) -> float:
    """The clock's reading as POSIX seconds, for the token checks that compare numbers."""
    return clock.now().timestamp()
