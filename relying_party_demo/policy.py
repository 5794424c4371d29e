"""Who may do what with a medical card. Pure functions: no Flask, no database, no I/O.

This milestone knows one rule set: a person reaches only their own card (the IdP's ``sub`` is
the person's OID), reading needs ``medcard.rs`` and adding entries needs ``medcard.cu`` (SMART
style: ``rs`` = read/search, ``cu`` = create/update; neither implies the other). Roles and
regional rules arrive in later milestones and belong here too.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

READ_SCOPE = "medcard.rs"
WRITE_SCOPE = "medcard.cu"


class CardAction(enum.StrEnum):
    READ = "read"
    ADD_ENTRY = "add_entry"


REQUIRED_SCOPE: dict[CardAction, str] = {
    CardAction.READ: READ_SCOPE,
    CardAction.ADD_ENTRY: WRITE_SCOPE,
}


class Verdict(enum.StrEnum):
    ALLOW = "allow"
    INSUFFICIENT_SCOPE = "insufficient_scope"
    NOT_OWNER = "not_owner"


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    required_scope: str

    @property
    def allowed(self) -> bool:
        return self.verdict is Verdict.ALLOW


def decide_card_access(*, subject: str, scopes: frozenset[str], card_oid: int, action: CardAction) -> Decision:
    """Decide whether ``subject`` holding ``scopes`` may perform ``action`` on the card.

    The scope is checked first, so a client missing a scope learns which one to ask for
    (RFC 6750 ``insufficient_scope``) before ownership is considered.
    """
    needed = REQUIRED_SCOPE[action]
    if needed not in scopes:
        return Decision(Verdict.INSUFFICIENT_SCOPE, needed)
    if not is_card_owner(subject=subject, card_oid=card_oid):
        return Decision(Verdict.NOT_OWNER, needed)
    return Decision(Verdict.ALLOW, needed)


def is_card_owner(*, subject: str, card_oid: int) -> bool:
    """The IdP's subject for a person is their numeric OID written in decimal."""
    return subject.isascii() and subject.isdigit() and subject == str(card_oid)
