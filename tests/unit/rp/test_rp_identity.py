"""The identity step of the access policy, and how the RP reads the IdP's verification claims.

A typed SNILS (``identity_not_verified``) or a changed confirmed one (``snils_changed``) refuses
what finds the person by SNILS or opens medical cards, for every role; public directories, the
inbox and the appointment list stay open (they find nothing without a linked SNILS).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from relying_party_demo.access.policy import (
    Action,
    Identity,
    PersonState,
    PolicyConfig,
    Reason,
    Subject,
    Target,
    decide,
)
from relying_party_demo.access.regions import load_regions
from relying_party_demo.access.rules import load_rules
from relying_party_demo.profile import IdentityEvidence, identity_evidence

CONFIG = Path(__file__).resolve().parents[3] / "config"
RS, CU = "medcard.rs", "medcard.cu"
ORG = "1.2.643.5.1.13.13.12.2.50.1"
CARD = Target(patient_snils="20791234555", organization_oid=ORG)
POLICY = PolicyConfig(
    rules=load_rules(CONFIG / "regional_rules.toml", load_regions(CONFIG / "regions.toml")),
    acr_levels=("urn:gosid:acr:2fa", "urn:gosid:acr:strong"),
    edit_acr="urn:gosid:acr:2fa",
)


def _subject(role: str, identity: Identity, snils: str | None = None) -> Subject:
    return Subject(sub="1", scopes=frozenset({RS, CU}), roles=frozenset({role}), region="50",
                   acr="urn:gosid:acr:2fa", amr=frozenset({"mfa"}), organization_oid=ORG, snils=snils,
                   identity=identity)  # fmt: skip


@pytest.mark.parametrize(
    ("role", "action", "target"),
    [("patient", Action.READ_CARD, CARD), ("patient", Action.LIST_PATIENTS, Target()),
     ("patient", Action.BOOK_SLOT, CARD), ("doctor", Action.READ_CARD, CARD),
     ("doctor", Action.ADD_ENTRY, CARD), ("doctor", Action.MARK_ATTENDANCE, CARD)],
)  # fmt: skip
@pytest.mark.parametrize(
    ("identity", "reason"),
    [(Identity.NOT_VERIFIED, Reason.IDENTITY_NOT_VERIFIED), (Identity.SNILS_CHANGED, Reason.SNILS_CHANGED)],
)
def test_an_unconfirmed_or_changed_snils_refuses_what_uses_the_identity(
    role: str, action: Action, target: Target, identity: Identity, reason: Reason
) -> None:
    decision = decide(_subject(role, identity), action, target=target, state=PersonState(), config=POLICY)
    assert decision.reason is reason and decision.region == "50"


@pytest.mark.parametrize(
    ("role", "action"),
    [("patient", Action.SEARCH_DIRECTORY), ("patient", Action.READ_INBOX), ("patient", Action.READ_APPOINTMENTS),
     ("registrar", Action.CANCEL_APPOINTMENT), ("registrar", Action.MANAGE_SCHEDULE)],
)  # fmt: skip
def test_actions_that_do_not_use_the_snils_stay_open(role: str, action: Action) -> None:
    subject = _subject(role, Identity.NOT_VERIFIED)
    assert decide(subject, action, target=CARD, state=PersonState(), config=POLICY).allowed


def test_a_linked_confirmed_snils_reads_its_card_and_no_snils_has_no_record() -> None:
    verified = _subject("patient", Identity.VERIFIED, snils="20791234555")
    assert decide(verified, Action.READ_CARD, target=CARD, state=PersonState(), config=POLICY).allowed
    none = _subject("patient", Identity.NO_SNILS)
    refused = decide(none, Action.READ_CARD, target=CARD, state=PersonState(), config=POLICY)
    assert refused.reason is Reason.NO_MEDICAL_RECORD


@pytest.mark.parametrize(
    ("claims", "expected"),
    [({"snils": "20791234555", "snils_verified": True}, IdentityEvidence("20791234555", True)),
     ({"snils": "20791234555", "snils_verified": False, "account_level": "confirmed"},
      IdentityEvidence("20791234555", False)),
     ({"snils": "20791234555", "account_level": "standard"}, IdentityEvidence("20791234555", True)),
     ({"snils": "20791234555", "account_level": "simplified"}, IdentityEvidence("20791234555", False)),
     ({"snils": "20791234555"}, IdentityEvidence("20791234555", False)),
     ({"snils": "20791234555", "snils_verified": "true"}, IdentityEvidence("20791234555", False)),
     ({"snils": "207-912-345 55", "snils_verified": True}, IdentityEvidence(None, False)),
     ({"snils_verified": True, "account_level": "confirmed"}, IdentityEvidence(None, False))],
)  # fmt: skip
def test_the_snils_counts_as_confirmed_only_when_the_idp_says_so(
    claims: dict[str, object], expected: IdentityEvidence
) -> None:
    assert identity_evidence(claims) == expected
