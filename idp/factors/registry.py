"""The factors this IdP offers, in the order the login page lists them by default.

Adding a factor means writing its module and adding it here (and its page template).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from idp.accounts.models import Person
from idp.factors.base import Factor


class FactorRegistry:
    def __init__(self, factors: Iterable[Factor]) -> None:
        self._factors = {f.name: f for f in factors}

    def __contains__(self, name: object) -> bool:
        return name in self._factors

    def __iter__(self) -> Iterator[Factor]:
        return iter(self._factors.values())

    def get(self, name: str) -> Factor | None:
        return self._factors.get(name)

    def add(self, factor: Factor) -> None:
        self._factors[factor.name] = factor

    def available_for(self, person: Person) -> list[str]:
        """Names of the person's usable factors: the last used first, then the default order."""
        names = [f.name for f in self._factors.values() if f.available(person)]
        last = person.last_factor
        if last in names:
            names.remove(last)
            names.insert(0, last)
        return names
