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

from datetime import date, datetime
from zoneinfo import ZoneInfo

from gosid_config.clock import Clock, FrozenClock, SystemClock

__all__ = ["Clock", "FrozenClock", "SystemClock", "epoch_seconds", "local_date"]


def local_date(moment: datetime, timezone: str) -> date:
    """The date of ``moment`` in ``timezone`` (an IANA name, e.g. an organization's
    ``Europe/Moscow``): "today" there when ``moment`` is now."""
    return moment.astimezone(ZoneInfo(timezone)).date()


def epoch_seconds(clock: Clock) -> float:
    """The clock's reading as POSIX seconds, for the token checks that compare numbers."""
    return clock.now().timestamp()
