"""The small interface every factor implements: begin → challenge, verify → result.

A factor is one module with one class; :mod:`idp.factors.registry` lists them. The login
service calls ``available`` to offer the factor, ``begin`` when the person picks it (send a
code, create a request, make a challenge; ``origin`` is the asking browser), ``describe`` for
the page and ``verify`` with what the person (or their device) answered. ``verify`` raises a
:class:`idp.authn.errors.LoginError` subclass on any failure, and does its own limits, replay
protection and audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from idp.accounts.models import Person
from idp.authn.origin import Origin
from idp.authn.transaction import LoginTransaction


@dataclass(frozen=True)
class Challenge:
    """What the login page shows for this factor (e.g. where the code was sent)."""

    factor: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class FactorResult:
    """A verified factor; ``factor`` is a policy name (a passkey with user verification
    answers "passkey_uv")."""

    factor: str
    amr: str
    enrolled_id: int | None = None


class Factor(Protocol):
    name: str

    def available(self, person: Person) -> bool: ...

    def begin(self, tx: LoginTransaction, person: Person, origin: Origin) -> Challenge: ...

    def describe(self, tx: LoginTransaction, person: Person) -> dict[str, Any]: ...

    def verify(self, tx: LoginTransaction, person: Person, response: str) -> FactorResult: ...
