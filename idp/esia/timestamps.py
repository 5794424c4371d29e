"""ESIA request timestamps: ``yyyy.MM.dd HH:mm:ss Z``, e.g. ``2015.11.02 09:52:36 +0000``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

STRICT = re.compile(r"^\d{4}\.\d{2}\.\d{2} \d{2}:\d{2}:\d{2} [+-]\d{4}$")


class BadTimestamp(ValueError):
    """The timestamp cannot be read."""


@dataclass(frozen=True)
class Timestamp:
    at: datetime
    note: str | None  # how a lenient parse differed from the documented form

    def skew(self, now: datetime | None = None) -> int:
        """Seconds the timestamp is ahead of (+) or behind (-) the stand's clock."""
        return int((self.at - (now or datetime.now(UTC))).total_seconds())


def format_timestamp(at: datetime) -> str:
    return at.strftime("%Y.%m.%d %H:%M:%S %z")


def parse_timestamp(value: str, *, strict: bool) -> Timestamp:
    text = value.strip()
    if STRICT.match(text):
        return Timestamp(datetime.strptime(text, "%Y.%m.%d %H:%M:%S %z"), None)
    if strict:
        raise BadTimestamp(f"{value!r} is not in the form 'yyyy.MM.dd HH:mm:ss Z' (e.g. '2015.11.02 09:52:36 +0000')")
    repaired = re.sub(r" (\d{4})$", r" +\1", re.sub(r"\s+", " ", text))  # '+' decoded as a space
    for form in ("%Y.%m.%d %H:%M:%S %z", "%Y.%m.%d %H:%M:%S%z", "%Y-%m-%d %H:%M:%S %z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return Timestamp(datetime.strptime(repaired, form), f"read as {form!r}")
        except ValueError:
            continue
    raise BadTimestamp(f"{value!r} is not in the form 'yyyy.MM.dd HH:mm:ss Z' (e.g. '2015.11.02 09:52:36 +0000')")
