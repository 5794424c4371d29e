"""The small interface every factor implements: begin → challenge, verify → result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from idp.accounts.models import Person
from idp.login.transaction import LoginTransaction


@dataclass(frozen=True)
class Challenge:
    """What the login page shows for this factor (e.g. where the code was sent)."""

    factor: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class FactorResult:
    factor: str
    amr: str


class Factor(Protocol):
    name: str

    def begin(self, tx: LoginTransaction, person: Person) -> Challenge: ...

    def verify(self, tx: LoginTransaction, person: Person, response: str) -> FactorResult: ...
