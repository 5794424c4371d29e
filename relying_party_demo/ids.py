"""Record ids in URLs: the one place that keeps ids no database column can hold out of queries."""

from __future__ import annotations

from typing import TypeGuard

from werkzeug.routing import IntegerConverter, Map

# Every primary key of the RP's schema is an SQL INTEGER (32-bit signed on PostgreSQL).
MAX_ID = 2**31 - 1


class RecordIdConverter(IntegerConverter):
    """``<int:...>`` in every route: ASCII digits up to :data:`MAX_ID`; a longer id matches no
    route, so it is the app's 404 (JSON under /api), never an integer overflow in the database."""

    regex = r"[0-9]{1,10}"

    def __init__(self, url_map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=False)


def is_record_id(value: object) -> TypeGuard[int]:
    """Whether ``value`` (from JSON, say) is an integer a key column can hold: ``0``..:data:`MAX_ID`."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID


def parse_id(value: str) -> int | None:
    """``value`` (a query parameter) as a record id, or None: ASCII digits only, up to :data:`MAX_ID`."""
    if not value.isascii() or not value.isdigit() or len(value) > len(str(MAX_ID)):
        return None
    number = int(value)
    return number if is_record_id(number) else None
