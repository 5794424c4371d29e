"""Passwords seen in public breaches, from zxcvbn's frequency list (the 30,000 most common,
ranked from the Xato corpus), wrapped so the rest of the code never imports zxcvbn."""

from __future__ import annotations

from functools import lru_cache

from zxcvbn.frequency_lists import FREQUENCY_LISTS


@lru_cache(maxsize=1)
def _breached() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def is_breached(folded_password: str) -> bool:
    """Whether the case-folded password is one of the known breached passwords."""
    return folded_password in _breached()
