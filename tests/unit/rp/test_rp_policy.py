"""The access policy as a decision table: region x role x claims x scope -> decision.

The rules are the shipped ``config/regional_rules.toml`` over ``config/regions.toml``, so the
table proves what the demo service actually enforces.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from relying_party_demo.access.policy import (
    Action,
    PersonState,
    PolicyConfig,
    Reason,
    Subject,
    Target,
    decide,
    pending_requirements,
)
from relying_party_demo.access.regions import load_regions
from relying_party_demo.access.rules import RegionalRules, load_rules

CONFIG = Path(__file__).resolve().parents[3] / "config"
RS, CU = "medcard.rs", "medcard.cu"
TWO_FA, STRONG = "urn:gosid:acr:2fa", "urn:gosid:acr:strong"
ORG, OTHER_ORG = "1.2.643.5.1.13.13.12.2.77.7831", "1.2.643.5.1.13.13.12.2.77.7904"
ME, SOMEONE = "15821463061", "20578912380"
DOCS, CERT, CONSENT = (
    "msk_spb_first_login_documents",
    "ncfd_regional_doctor_certificate",
    "ufd_sibfd_data_transfer_consent",
)

OWN_CARD = Target(patient_snils=ME, organization_oid=ORG)
ORG_CARD = Target(patient_snils=SOMEONE, organization_oid=ORG)
FOREIGN_CARD = Target(patient_snils=SOMEONE, organization_oid=OTHER_ORG)
MY_APPOINTMENT = Target(patient_snils=SOMEONE, doctor_snils=ME, organization_oid=ORG)
NOBODY = Target()


@pytest.fixture(scope="module")
def rules() -> RegionalRules:
    return load_rules(CONFIG / "regional_rules.toml", load_regions(CONFIG / "regions.toml"))


def config(rules: RegionalRules, edit_acr: str = STRONG) -> PolicyConfig:
    return PolicyConfig(rules=rules, acr_levels=(TWO_FA, STRONG), edit_acr=edit_acr)


def person(role: str, region: str | None, scopes: str = RS, **claims: Any) -> Subject:
    base = Subject(
        sub="1000300101",
        scopes=frozenset(scopes.split()),
        roles=frozenset(role.split()),
        region=region,
        acr=TWO_FA,
        amr=frozenset({"pwd", "sms", "mfa"}),
        organization_oid=ORG if role in ("doctor", "registrar") else None,
        snils=ME,
    )
    return replace(base, **claims)


def done(*requirements: tuple[str, str], accepted: str | None = None) -> PersonState:
    return PersonState(accepted_region=accepted, completed=frozenset(requirements))


FRESH = PersonState()

# (region, role, claims, scopes, action, target, state, reason or None for "allowed")
TABLE: list[tuple[str | None, str, dict[str, Any], str, Action, Target, PersonState, Reason | None]] = [
    # --- scopes (SMART v2 style): rs reads, cu changes; neither implies the other
    ("50", "patient", {}, RS, Action.READ_CARD, OWN_CARD, FRESH, None),
    ("50", "patient", {}, "", Action.READ_CARD, OWN_CARD, FRESH, Reason.INSUFFICIENT_SCOPE),
    ("50", "patient", {}, CU, Action.READ_CARD, OWN_CARD, FRESH, Reason.INSUFFICIENT_SCOPE),
    ("50", "patient", {}, RS, Action.BOOK_SLOT, OWN_CARD, FRESH, Reason.INSUFFICIENT_SCOPE),
    ("50", "patient", {}, f"{RS} {CU}", Action.BOOK_SLOT, OWN_CARD, FRESH, None),
    ("50", "patient", {}, RS, Action.CANCEL_APPOINTMENT, OWN_CARD, FRESH, Reason.INSUFFICIENT_SCOPE),
    ("77", "doctor", {"acr": STRONG}, RS, Action.ADD_ENTRY, ORG_CARD, FRESH, Reason.INSUFFICIENT_SCOPE),
    ("77", "registrar", {}, RS, Action.MANAGE_SCHEDULE, NOBODY, FRESH, Reason.INSUFFICIENT_SCOPE),
    # --- roles: a patient sees only their own card and never writes entries
    ("50", "patient", {}, RS, Action.READ_CARD, ORG_CARD, FRESH, Reason.NOT_OWN_RECORD),
    ("50", "patient", {"snils": None}, RS, Action.READ_CARD, OWN_CARD, FRESH, Reason.NO_MEDICAL_RECORD),
    ("50", "patient", {}, f"{RS} {CU}", Action.ADD_ENTRY, OWN_CARD, FRESH, Reason.ROLE_NOT_ALLOWED),
    ("50", "patient", {}, f"{RS} {CU}", Action.CANCEL_APPOINTMENT, ORG_CARD, FRESH, Reason.NOT_OWN_RECORD),
    ("50", "", {}, RS, Action.READ_CARD, OWN_CARD, FRESH, Reason.ROLE_NOT_ALLOWED),
    ("50", "", {}, RS, Action.READ_INBOX, NOBODY, FRESH, None),
    # a doctor: cards of their own organization; edits need cu and the strong acr (step up)
    ("77", "doctor", {}, RS, Action.READ_CARD, ORG_CARD, FRESH, None),
    ("77", "doctor", {}, RS, Action.READ_CARD, FOREIGN_CARD, FRESH, Reason.OTHER_ORGANIZATION),
    ("77", "doctor", {}, f"{RS} {CU}", Action.ADD_ENTRY, ORG_CARD, FRESH, Reason.STEP_UP_REQUIRED),
    ("77", "doctor", {"acr": STRONG}, f"{RS} {CU}", Action.ADD_ENTRY, ORG_CARD, FRESH, None),
    ("77", "doctor", {"acr": None}, f"{RS} {CU}", Action.ADD_ENTRY, ORG_CARD, FRESH, Reason.STEP_UP_REQUIRED),
    ("77", "doctor", {}, f"{RS} {CU}", Action.ADD_ENTRY, FOREIGN_CARD, FRESH, Reason.OTHER_ORGANIZATION),
    ("77", "doctor", {"organization_oid": None}, RS, Action.READ_CARD, ORG_CARD, FRESH, Reason.OTHER_ORGANIZATION),
    ("77", "doctor", {}, f"{RS} {CU}", Action.MARK_ATTENDANCE, MY_APPOINTMENT, FRESH, None),
    ("77", "doctor", {}, f"{RS} {CU}", Action.MARK_ATTENDANCE, ORG_CARD, FRESH, Reason.NOT_OWN_SCHEDULE),
    ("77", "doctor", {}, f"{RS} {CU}", Action.BOOK_SLOT, OWN_CARD, FRESH, Reason.ROLE_NOT_ALLOWED),
    # a registrar manages the schedules (and cancels appointments) of their organization
    ("77", "registrar", {}, f"{RS} {CU}", Action.MANAGE_SCHEDULE, Target(organization_oid=ORG), FRESH, None),
    ("77", "registrar", {}, f"{RS} {CU}", Action.MANAGE_SCHEDULE, FOREIGN_CARD, FRESH, Reason.OTHER_ORGANIZATION),
    ("77", "registrar", {}, f"{RS} {CU}", Action.CANCEL_APPOINTMENT, ORG_CARD, FRESH, None),
    ("77", "registrar", {}, RS, Action.READ_CARD, ORG_CARD, FRESH, Reason.ROLE_NOT_ALLOWED),
    ("77", "patient", {}, f"{RS} {CU}", Action.MANAGE_SCHEDULE, Target(organization_oid=ORG), FRESH,
     Reason.ROLE_NOT_ALLOWED),
    # --- Moscow and Saint Petersburg: OMS policy + confirmation at the first login, patients only
    ("77", "patient", {}, RS, Action.READ_CARD, OWN_CARD, FRESH, Reason.DOCUMENTS_REQUIRED),
    ("78", "patient", {}, RS, Action.READ_CARD, OWN_CARD, FRESH, Reason.DOCUMENTS_REQUIRED),
    ("77", "patient", {}, RS, Action.READ_INBOX, NOBODY, FRESH, Reason.DOCUMENTS_REQUIRED),
    ("77", "patient", {}, RS, Action.READ_CARD, OWN_CARD, done((DOCS, "77")), None),
    ("78", "patient", {}, RS, Action.READ_CARD, OWN_CARD, done((DOCS, "77"), accepted="78"), Reason.DOCUMENTS_REQUIRED),
    ("77", "patient", {}, RS, Action.SEARCH_DIRECTORY, NOBODY, FRESH, None),
    ("77", "doctor", {}, RS, Action.LIST_PATIENTS, NOBODY, FRESH, None),
    # --- North Caucasus: doctors need the regional certificate for patients' cards (not for the rest)
    ("05", "doctor", {}, RS, Action.READ_CARD, ORG_CARD, FRESH, Reason.DOCTOR_CERTIFICATE_MISSING),
    ("05", "doctor", {}, RS, Action.LIST_PATIENTS, NOBODY, FRESH, Reason.DOCTOR_CERTIFICATE_MISSING),
    ("05", "doctor", {"acr": STRONG}, f"{RS} {CU}", Action.ADD_ENTRY, ORG_CARD, FRESH,
     Reason.DOCTOR_CERTIFICATE_MISSING),
    ("05", "doctor", {"regional_doctor_certificate": True}, RS, Action.READ_CARD, ORG_CARD, FRESH, None),
    ("05", "doctor", {}, RS, Action.READ_APPOINTMENTS, NOBODY, FRESH, None),
    ("05", "doctor", {}, RS, Action.VIEW_SCHEDULES, NOBODY, FRESH, None),
    ("06", "doctor", {}, RS, Action.READ_CARD, ORG_CARD, FRESH, Reason.DOCTOR_CERTIFICATE_MISSING),
    ("05", "patient", {}, RS, Action.READ_CARD, OWN_CARD, FRESH, None),
    ("77", "doctor", {"regional_doctor_certificate": False}, RS, Action.READ_CARD, ORG_CARD, FRESH, None),
    # --- Urals and Siberia: consent to the regional transfer, for everyone, until revoked
    ("66", "patient", {}, RS, Action.READ_CARD, OWN_CARD, FRESH, Reason.CONSENT_REQUIRED),
    ("54", "patient", {}, RS, Action.READ_CARD, OWN_CARD, FRESH, Reason.CONSENT_REQUIRED),
    ("72", "patient", {}, RS, Action.READ_INBOX, NOBODY, FRESH, Reason.CONSENT_REQUIRED),
    ("54", "doctor", {}, RS, Action.LIST_PATIENTS, NOBODY, FRESH, Reason.CONSENT_REQUIRED),
    ("66", "registrar", {}, f"{RS} {CU}", Action.MANAGE_SCHEDULE, Target(organization_oid=ORG), FRESH,
     Reason.CONSENT_REQUIRED),
    ("66", "patient", {}, RS, Action.READ_CARD, OWN_CARD, done((CONSENT, "66")), None),
    ("54", "patient", {}, RS, Action.READ_CARD, OWN_CARD, done((CONSENT, "66"), accepted="54"),
     Reason.CONSENT_REQUIRED),
    ("03", "patient", {}, RS, Action.READ_CARD, OWN_CARD, FRESH, None),  # Buryatia: Far East since 2018
    ("66", "patient", {}, RS, Action.VIEW_SCHEDULES, NOBODY, FRESH, None),
    # --- everywhere: two factors (amr or acr), and a known, unchanged address region
    ("50", "patient", {"amr": frozenset({"pwd"}), "acr": None}, RS, Action.READ_CARD, OWN_CARD, FRESH,
     Reason.TWO_FACTOR_REQUIRED),
    ("50", "patient", {"amr": frozenset({"pwd"}), "acr": "urn:other"}, RS, Action.SEARCH_DIRECTORY, NOBODY, FRESH,
     Reason.TWO_FACTOR_REQUIRED),
    ("50", "patient", {"amr": frozenset()}, RS, Action.READ_CARD, OWN_CARD, FRESH, None),
    ("50", "patient", {"acr": None}, RS, Action.READ_CARD, OWN_CARD, FRESH, None),
    (None, "patient", {}, RS, Action.READ_CARD, OWN_CARD, FRESH, Reason.REGION_MISSING),
    (None, "doctor", {}, RS, Action.READ_APPOINTMENTS, NOBODY, FRESH, Reason.REGION_MISSING),
    (None, "patient", {}, RS, Action.SEARCH_DIRECTORY, NOBODY, FRESH, None),
    ("50", "patient", {}, RS, Action.READ_CARD, OWN_CARD, done(accepted="77"), Reason.REGION_CHANGED),
    ("50", "patient", {}, RS, Action.READ_CARD, OWN_CARD, done(accepted="50"), None),
    ("50", "patient", {}, RS, Action.SEARCH_DIRECTORY, NOBODY, done(accepted="77"), None),
]  # fmt: skip


@pytest.mark.parametrize(("region", "role", "claims", "scopes", "action", "target", "state", "reason"), TABLE)
def test_decision_table(
    rules: RegionalRules,
    region: str | None,
    role: str,
    claims: dict[str, Any],
    scopes: str,
    action: Action,
    target: Target,
    state: PersonState,
    reason: Reason | None,
) -> None:
    decision = decide(person(role, region, scopes, **claims), action, target=target, state=state, config=config(rules))
    assert decision.reason is reason
    assert decision.allowed is (reason is None)
    assert decision.region == (region or state.accepted_region)


def test_refusals_say_what_they_need(rules: RegionalRules) -> None:
    scope = decide(person("patient", "50"), Action.BOOK_SLOT, target=OWN_CARD, state=FRESH, config=config(rules))
    assert scope.required_scope == CU
    step_up = decide(
        person("doctor", "77", f"{RS} {CU}"), Action.ADD_ENTRY, target=ORG_CARD, state=FRESH, config=config(rules)
    )
    assert step_up.required_acr == STRONG
    docs = decide(person("patient", "77"), Action.READ_CARD, target=OWN_CARD, state=FRESH, config=config(rules))
    assert docs.requirement_id == DOCS
    moved = decide(person("patient", "50"), Action.READ_CARD, target=OWN_CARD, state=done(accepted="77"),
                   config=config(rules))  # fmt: skip
    assert moved.details == {"previous_region": "77"}


def test_the_edit_acr_is_configuration(rules: RegionalRules) -> None:
    doctor = person("doctor", "77", f"{RS} {CU}")
    lenient = decide(doctor, Action.ADD_ENTRY, target=ORG_CARD, state=FRESH, config=config(rules, edit_acr=TWO_FA))
    assert lenient.allowed
    assert not config(rules).acr_satisfies("urn:unknown", TWO_FA)


def test_pending_requirements_after_login(rules: RegionalRules) -> None:
    def pending(role: str, region: str, state: PersonState = FRESH) -> list[str]:
        return [r.id for r in pending_requirements(person(role, region), state, rules)]

    assert pending("patient", "77") == [DOCS]
    assert pending("patient", "77", done((DOCS, "77"))) == []
    assert pending("doctor", "77") == []
    assert pending("doctor", "66") == [CONSENT]
    assert pending("patient", "54") == [CONSENT]
    assert pending("doctor", "05") == []  # the certificate is a claim, not a step
    assert pending("patient", "50") == []


def test_adding_a_region_is_a_config_change(rules: RegionalRules, tmp_path: Path) -> None:
    text = (CONFIG / "regional_rules.toml").read_text(encoding="utf-8")
    changed = tmp_path / "rules.toml"
    changed.write_text(text.replace('regions = ["77", "78"]', 'regions = ["77", "78", "50"]'), encoding="utf-8")
    more = load_rules(changed, rules.regions)
    patient = person("patient", "50")
    before = decide(patient, Action.READ_CARD, target=OWN_CARD, state=FRESH, config=config(rules))
    after = decide(patient, Action.READ_CARD, target=OWN_CARD, state=FRESH, config=config(more))
    assert (before.reason, after.reason) == (None, Reason.DOCUMENTS_REQUIRED)
