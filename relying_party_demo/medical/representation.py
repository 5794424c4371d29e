"""The JSON shapes of the medical data, shared by the API and the pages."""

from __future__ import annotations

from typing import Any

from relying_party_demo.medical.models import CardDocument, CardEntry, Doctor, Organization, Patient


def organization_json(org: Organization) -> dict[str, Any]:
    return {
        "oid": org.oid,
        "code": org.code,
        "name": org.name,
        "region": org.region_code,
        "address": org.address,
        "timezone": org.timezone,
    }


def doctor_json(doctor: Doctor) -> dict[str, Any]:
    return {
        "id": doctor.id,
        "name": doctor.full_name,
        "specialty": doctor.specialty,
        "organization_oid": doctor.organization.oid,
    }


def patient_json(patient: Patient) -> dict[str, Any]:
    """The patient's summary; ``card_id`` is where their card is (``/api/cards/<card_id>``)."""
    return {
        "card_id": patient.id,
        "name": patient.full_name,
        "birth_date": patient.birth_date.isoformat(),
        "snils": patient.snils,
        "oms_policy": patient.oms_policy,
        "region": patient.region_code,
        "organization": {"oid": patient.organization.oid, "name": patient.organization.name},
    }


def entry_json(entry: CardEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "occurred_on": entry.occurred_on.isoformat(),
        "icd10": entry.icd10,
        "text": entry.text,
        "details": entry.details,
        "doctor": entry.doctor.full_name if entry.doctor else None,
        "author_sub": entry.author_sub,
        "created_at": entry.created_at.isoformat(),
        "token_jti": entry.token_jti,
    }


def document_json(document: CardDocument) -> dict[str, Any]:
    return {
        "id": document.id,
        "type": document.doc_type,
        "title": document.title,
        "issued_on": document.issued_on.isoformat(),
        "issuer": document.issuer,
    }


def card_json(patient: Patient) -> dict[str, Any]:
    """The whole card: the patient, every entry (oldest first) and the documents."""
    return {
        **patient_json(patient),
        "entries": [entry_json(e) for e in patient.entries],
        "documents": [document_json(d) for d in patient.documents],
    }
