"""The IdP's clock: what day it is for the rules that decide by the date.

Gosuslugi's day is Moscow's: a person turns 14, and a passport issued "today" stops being "in
the future", when the date changes in Moscow, whatever the server's own time zone. Views take
:func:`moscow_today` of the clock in :class:`idp.services.Services` (built once in the app
factory) and pass the date to the domain code, which never reads a clock itself.

In production the clock is :class:`SystemClock`; tests freeze it with :class:`FrozenClock`
(``create_app(settings, clock=FrozenClock(...))``). Token lifetimes keep ``time.time()``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

GOSUSLUGI_TIMEZONE = ZoneInfo("Europe/Moscow")


@runtime_checkable
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


def moscow_today(clock: Clock) -> date:
    """Today in Moscow by ``clock``: the date the birthday and document-date rules use."""
    return clock.now().astimezone(GOSUSLUGI_TIMEZONE).date()
