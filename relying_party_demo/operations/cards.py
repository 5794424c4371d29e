"""Patients and their medical cards: list, read, add an entry, see the changes."""

from __future__ import annotations

from typing import Any

from relying_party_demo import changes, inbox
from relying_party_demo.access.policy import Action, Target
from relying_party_demo.clock import local_date
from relying_party_demo.errors import NotFound
from relying_party_demo.guard import Caller, authorize, require_scope
from relying_party_demo.medical import records
from relying_party_demo.medical.entries import parse_entry
from relying_party_demo.medical.models import Patient
from relying_party_demo.medical.representation import card_json, entry_json, patient_json
from relying_party_demo.models import db
from relying_party_demo.services import services


def card_target(patient: Patient) -> Target:
    return Target(patient_snils=patient.snils, organization_oid=patient.organization.oid)


def own_patient(caller: Caller) -> Patient | None:
    return records.patient_by_snils(caller.snils)


def list_patients(caller: Caller) -> dict[str, Any]:
    """A doctor's patients (their organization's); for a patient, their own record."""
    authorize(caller, Action.LIST_PATIENTS)
    found: list[Patient] = []
    if caller.has_role("doctor") and caller.token.organization_oid:
        found = records.patients_of(caller.token.organization_oid)
    elif (own := own_patient(caller)) is not None:
        found = [own]
    return {"patients": [patient_json(p) for p in found]}


def find_patient(caller: Caller, action: Action, card_id: int) -> Patient:
    require_scope(caller, action)
    patient = records.patient_by_id(card_id)
    if patient is None:
        raise NotFound(f"there is no medical card {card_id}")
    return patient


def read_card(caller: Caller, card_id: int) -> dict[str, Any]:
    patient = find_patient(caller, Action.READ_CARD, card_id)
    authorize(caller, Action.READ_CARD, card_target(patient))
    return card_json(patient)


def add_entry(caller: Caller, card_id: int, body: object) -> dict[str, Any]:
    """A doctor's new entry (dated today where the patient's organization is, unless the entry
    says otherwise); a new test result also goes to the patient's inbox."""
    patient = find_patient(caller, Action.ADD_ENTRY, card_id)
    role = authorize(caller, Action.ADD_ENTRY, card_target(patient))
    entry = parse_entry(body)
    doctor = records.doctor_by_snils(caller.snils)
    today = local_date(services().clock.now(), patient.organization.timezone)
    row = records.add_entry(patient, entry, doctor=doctor, author_sub=caller.sub, token_jti=caller.jti, today=today)
    changes.record(
        actor_sub=caller.sub,
        actor_role=role,
        action="card_entry_added",
        object_type="card_entry",
        object_id=row.id,
        patient_id=patient.id,
        details={"kind": entry.kind, "icd10": entry.icd10},
        token_jti=caller.jti,
    )
    if entry.kind == "test_result":
        inbox.notify(patient.snils, "test_result", {"test": entry.details.get("test", entry.text)})
    db.session.commit()
    return entry_json(row)


def card_changes(caller: Caller, card_id: int) -> dict[str, Any]:
    """Who changed what in this patient's card and appointments, newest first."""
    patient = find_patient(caller, Action.READ_CARD, card_id)
    authorize(caller, Action.READ_CARD, card_target(patient))
    return {"changes": [changes.change_json(c) for c in changes.for_patient(patient.id)]}
