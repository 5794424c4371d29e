"""What the demo RP's integration tests share: backends, scopes, personas, the Moscow calendar.

The RP's calendar in tests is frozen at ``DEFAULT_INSTANT``; a test whose outcome could depend on
the time of day takes ``@at_every_moscow_hour``: it runs on SQLite at each of ``MOSCOW_HOURS`` and on
PostgreSQL at the last of them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from relying_party_demo.clock import FrozenClock, local_date
from tests.support.backends import backend_param

REPO = Path(__file__).resolve().parents[2]
BOTH = [backend_param("sqlite"), backend_param("postgres")]  # the PostgreSQL variant is marked `postgres`
RS, CU = "medcard.rs", "medcard.cu"
PERSON_SCOPES = "openid profile snils region roles"

Persona = dict[str, Any]

MOSCOW = ZoneInfo("Europe/Moscow")
# A Friday that ends a month and a year; at 23:55 in Moscow it is already the next day in the
# Urals and Siberia, and at 00:05 it is still the day before in UTC.
DAY = date(2027, 12, 31)
MOSCOW_HOURS = [datetime.combine(DAY, time(h, m), MOSCOW) for h, m in ((0, 5), (9, 0), (13, 30), (23, 55))]
DEFAULT_INSTANT = MOSCOW_HOURS[2]


def moscow_id(instant: datetime) -> str:
    return f"msk{instant.astimezone(MOSCOW):%H%M}"


# SQLite at every hour; PostgreSQL at 23:55, when today's slots are over, tomorrow is next year
# and Siberia is already there (the time logic is Python's, the SQL the same at any hour).
at_every_moscow_hour = pytest.mark.parametrize(
    ("rp_clock", "rp_backend"),
    [pytest.param(at, "sqlite", id=f"{moscow_id(at)}-sqlite") for at in MOSCOW_HOURS]
    + [
        pytest.param(
            MOSCOW_HOURS[-1], "postgres", id=f"{moscow_id(MOSCOW_HOURS[-1])}-postgres", marks=pytest.mark.postgres
        )
    ],
    indirect=True,
)
on_both_backends = pytest.mark.parametrize("rp_backend", BOTH, indirect=True)


def moscow_today(clock: FrozenClock) -> date:
    """Today where the seeded Moscow clinics are, by the RP's calendar."""
    return local_date(clock.now(), "Europe/Moscow")


TokenFactory = Callable[..., str]
