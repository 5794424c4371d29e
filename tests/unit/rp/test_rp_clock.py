"""The RP's clock adapter: the system clock and the frozen twin the tests set by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from relying_party_demo.clock import FrozenClock, SystemClock, epoch_seconds, local_date

MOSCOW = ZoneInfo("Europe/Moscow")


def test_the_system_clock_is_aware_utc_and_moves() -> None:
    clock = SystemClock()
    first = clock.now()
    assert first.tzinfo is UTC
    assert clock.now() >= first
    assert abs(first - datetime.now(UTC)) < timedelta(seconds=5)


def test_a_frozen_clock_stands_still_until_set_or_advanced() -> None:
    clock = FrozenClock(datetime(2027, 12, 31, 23, 55, tzinfo=MOSCOW))
    assert clock.now() == clock.now() == datetime(2027, 12, 31, 20, 55, tzinfo=UTC)
    assert clock.now().tzinfo is UTC
    clock.advance(timedelta(minutes=10))
    assert clock.now() == datetime(2027, 12, 31, 21, 5, tzinfo=UTC)
    clock.set(datetime(2028, 1, 1, 9, 0, tzinfo=MOSCOW))
    assert epoch_seconds(clock) == datetime(2028, 1, 1, 6, 0, tzinfo=UTC).timestamp()


def test_a_frozen_clock_refuses_a_time_without_a_zone() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FrozenClock(datetime(2027, 12, 31, 9, 0))  # naive: the mistake under test
    clock = FrozenClock(datetime(2027, 12, 31, 9, 0, tzinfo=UTC))
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.set(datetime(2027, 12, 31, 9, 0))


@pytest.mark.parametrize(
    ("utc", "zone", "day"),
    [
        ("2027-12-30T21:05:00", "Europe/Moscow", "2027-12-31"),  # 00:05 in Moscow: still the 30th in UTC
        ("2027-12-31T20:55:00", "Europe/Moscow", "2027-12-31"),
        ("2027-12-31T20:55:00", "Asia/Novosibirsk", "2028-01-01"),  # already next year in Siberia
        ("2027-12-31T20:55:00", "Europe/Kaliningrad", "2027-12-31"),
    ],
)
def test_local_date_is_the_calendar_day_in_the_zone(utc: str, zone: str, day: str) -> None:
    moment = datetime.fromisoformat(utc).replace(tzinfo=UTC)
    assert local_date(moment, zone).isoformat() == day
