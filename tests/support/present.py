"""Narrowing an optional value a test expects to be there."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def present(value: T | None, what: str = "value") -> T:
    """``value``, asserting it is not ``None`` (a row that must exist, a pattern that must match)."""
    assert value is not None, f"expected a {what}, found none"
    return value
