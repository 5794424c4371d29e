"""The card access policy as a decision table."""

from __future__ import annotations

import pytest

from relying_party_demo.policy import CardAction, Verdict, decide_card_access

OWNER = "1000000001"
CARD = 1000000001
OTHER_CARD = 1000000002
RS = "medcard.rs"
CU = "medcard.cu"


@pytest.mark.parametrize(
    ("subject", "scopes", "card", "action", "verdict", "needed"),
    [
        (OWNER, {RS}, CARD, CardAction.READ, Verdict.ALLOW, RS),
        (OWNER, {RS, CU}, CARD, CardAction.READ, Verdict.ALLOW, RS),
        (OWNER, {CU}, CARD, CardAction.READ, Verdict.INSUFFICIENT_SCOPE, RS),
        (OWNER, set(), CARD, CardAction.READ, Verdict.INSUFFICIENT_SCOPE, RS),
        (OWNER, {RS}, CARD, CardAction.ADD_ENTRY, Verdict.INSUFFICIENT_SCOPE, CU),
        (OWNER, {RS, CU}, CARD, CardAction.ADD_ENTRY, Verdict.ALLOW, CU),
        (OWNER, {CU}, CARD, CardAction.ADD_ENTRY, Verdict.ALLOW, CU),
        (OWNER, {RS}, OTHER_CARD, CardAction.READ, Verdict.NOT_OWNER, RS),
        (OWNER, {RS, CU}, OTHER_CARD, CardAction.ADD_ENTRY, Verdict.NOT_OWNER, CU),
        # Scope is judged before ownership, so the client learns which scope to ask for.
        (OWNER, set(), OTHER_CARD, CardAction.READ, Verdict.INSUFFICIENT_SCOPE, RS),
        # Subjects that are not a canonical decimal OID never own a card.
        ("egisz-demo", {RS}, CARD, CardAction.READ, Verdict.NOT_OWNER, RS),
        ("01000000001", {RS}, CARD, CardAction.READ, Verdict.NOT_OWNER, RS),
        (" 1000000001", {RS}, CARD, CardAction.READ, Verdict.NOT_OWNER, RS),
        ("", {RS}, CARD, CardAction.READ, Verdict.NOT_OWNER, RS),
        # A scope name that merely contains the needed one does not count.
        (
            OWNER,
            {"medcard.rs.extra", "medcard"},
            CARD,
            CardAction.READ,
            Verdict.INSUFFICIENT_SCOPE,
            RS,
        ),
    ],
)
def test_card_access_decision(
    subject: str, scopes: set[str], card: int, action: CardAction, verdict: Verdict, needed: str
) -> None:
    decision = decide_card_access(subject=subject, scopes=frozenset(scopes), card_oid=card, action=action)
    assert decision.verdict is verdict
    assert decision.required_scope == needed
    assert decision.allowed is (verdict is Verdict.ALLOW)
