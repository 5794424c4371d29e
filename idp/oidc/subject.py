"""The authenticated subject handed from login to the token layer."""

from __future__ import annotations

from dataclasses import dataclass, field

from idp.accounts.models import Person
from idp.security.hashes import new_token


@dataclass(frozen=True)
class GrantUser:
    person: Person
    auth_time: int
    amr: list[str]
    acr: str
    session_id: str | None = None
    userinfo_claims: tuple[str, ...] = ()
    # The grant the tokens belong to: the refresh-token family's id (a new one per code
    # redemption, the family's when refreshing). Access tokens carry it as ``grant_id``, so
    # revoking the family reaches them (idp/oidc/grant_state.py).
    grant_id: str = field(default_factory=lambda: new_token(16))

    def get_user_id(self) -> str:
        return str(self.person.oid)
