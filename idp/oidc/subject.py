"""The authenticated subject handed from login to the token layer."""

from __future__ import annotations

from dataclasses import dataclass

from idp.accounts.models import Person


@dataclass(frozen=True)
class GrantUser:
    person: Person
    auth_time: int
    amr: list[str]
    acr: str
    session_id: str | None = None
    userinfo_claims: tuple[str, ...] = ()

    def get_user_id(self) -> str:
        return str(self.person.oid)
