"""ESIA request timestamps: ``yyyy.MM.dd HH:mm:ss Z``, e.g. ``2015.11.02 09:52:36 +0000``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

STRICT = re.compile(r"^(\d{4})\.(\d{2})\.(\d{2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\Z", re.ASCII)
FORM = "'yyyy.MM.dd HH:mm:ss Z' (e.g. '2015.11.02 09:52:36 +0000')"


class BadTimestamp(ValueError):
    """The timestamp cannot be read."""


@dataclass(frozen=True)
class Timestamp:
    at: datetime
    note: str | None  # how a lenient parse differed from the documented form

    def skew(self, now: datetime | None = None) -> int:
        """Seconds the timestamp is ahead of (+) or behind (-) the stand's clock."""
        return int((self.at - (now or datetime.now(UTC))).total_seconds())


def _real_moment(value: str, match: re.Match[str]) -> datetime:
    """The moment a timestamp of the documented form names; one that cannot exist (month 13,
    30 February, 25:61, an offset of +99:99 or -24:00) is a :class:`BadTimestamp`."""
    year, month, day, hour, minute, second, sign, off_h, off_m = match.groups()
    if int(off_h) > 23 or int(off_m) > 59:
        raise BadTimestamp(f"{value!r} has the form {FORM} but its UTC offset {sign}{off_h}{off_m} does not exist")
    offset = (1 if sign == "+" else -1) * timedelta(hours=int(off_h), minutes=int(off_m))
    try:
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=timezone(offset))
    except ValueError as exc:  # e.g. "day is out of range for month"
        raise BadTimestamp(f"{value!r} has the form {FORM} but names no real moment: {exc}") from None


def parse_timestamp(value: str, *, strict: bool) -> Timestamp:
    text = value.strip()
    match = STRICT.match(text)
    if match:
        return Timestamp(_real_moment(value, match), None)
    if strict:
        raise BadTimestamp(f"{value!r} is not in the form {FORM}")
    repaired = re.sub(r" (\d{4})$", r" +\1", re.sub(r"\s+", " ", text))  # '+' decoded as a space
    for form in ("%Y.%m.%d %H:%M:%S %z", "%Y.%m.%d %H:%M:%S%z", "%Y-%m-%d %H:%M:%S %z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return Timestamp(datetime.strptime(repaired, form), f"read as {form!r}")
        except ValueError:
            continue
    raise BadTimestamp(f"{value!r} is not in the form {FORM}")
