"""The IdP's clock: what day it is for the rules that decide by the date.

Gosuslugi's day is Moscow's: a person turns 14, and a passport issued "today" stops being "in
the future", when the date changes in Moscow, whatever the server's own time zone. Views take
:func:`moscow_today` of the clock in :class:`idp.services.Services` (built once in the app
factory) and pass the date to the domain code, which never reads a clock itself.

In production the clock is :class:`SystemClock`; tests freeze it with :class:`FrozenClock`
(``create_app(settings, clock=FrozenClock(...))``). Token lifetimes keep ``time.time()``.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from gosid_config.clock import Clock, FrozenClock, SystemClock

__all__ = ["GOSUSLUGI_TIMEZONE", "Clock", "FrozenClock", "SystemClock", "moscow_today"]

GOSUSLUGI_TIMEZONE = ZoneInfo("Europe/Moscow")


def moscow_today(clock: Clock) -> date:
    """Today in Moscow by ``clock``: the date the birthday and document-date rules use."""
    return clock.now().astimezone(GOSUSLUGI_TIMEZONE).date()
