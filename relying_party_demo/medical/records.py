"""Queries and changes on the medical data: the directory, patients, cards and their entries."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from relying_party_demo.medical.entries import EntryInput
from relying_party_demo.medical.models import CardEntry, Doctor, Organization, Patient
from relying_party_demo.models import db

DIRECTORY_PAGE = 50


def search_organizations(query: str, *, region: str | None = None) -> list[Organization]:
    """Organizations whose code starts with ``query`` or whose name contains it (any case)."""
    stmt = select(Organization).order_by(Organization.region_code, Organization.code).limit(DIRECTORY_PAGE)
    text = query.strip()
    if text:
        pattern = "%" + _escape_like(text.casefold()) + "%"
        stmt = stmt.where(
            or_(Organization.code.startswith(text, autoescape=True), Organization.name_folded.like(pattern, "\\"))
        )
    if region:
        stmt = stmt.where(Organization.region_code == region)
    return list(db.session.scalars(stmt))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def organization_by_oid(oid: str) -> Organization | None:
    return db.session.scalars(select(Organization).where(Organization.oid == oid)).one_or_none()


def patient_by_id(patient_id: int) -> Patient | None:
    return db.session.get(Patient, patient_id)


def patient_by_snils(snils: str | None) -> Patient | None:
    if not snils:
        return None
    return db.session.scalars(select(Patient).where(Patient.snils == snils)).one_or_none()


def doctor_by_snils(snils: str | None) -> Doctor | None:
    if not snils:
        return None
    return db.session.scalars(select(Doctor).where(Doctor.snils == snils)).one_or_none()


def doctors_of(organization_oid: str) -> list[Doctor]:
    stmt = (
        select(Doctor)
        .join(Organization, Doctor.organization_id == Organization.id)
        .where(Organization.oid == organization_oid)
        .order_by(Doctor.family_name, Doctor.given_name)
    )
    return list(db.session.scalars(stmt))


def patients_of(organization_oid: str) -> list[Patient]:
    stmt = (
        select(Patient)
        .join(Organization, Patient.organization_id == Organization.id)
        .where(Organization.oid == organization_oid)
        .order_by(Patient.family_name, Patient.given_name)
    )
    return list(db.session.scalars(stmt))


def add_entry(
    patient: Patient, entry: EntryInput, *, doctor: Doctor | None, author_sub: str, token_jti: str, today: date
) -> CardEntry:
    """Add ``entry`` to the patient's card in the current transaction (the caller commits)."""
    row = CardEntry(
        patient_id=patient.id,
        kind=entry.kind,
        occurred_on=entry.occurred_on or today,
        icd10=entry.icd10,
        text=entry.text,
        details=entry.details,
        doctor_id=doctor.id if doctor else None,
        author_sub=author_sub,
        token_jti=token_jti,
    )
    db.session.add(row)
    db.session.flush()
    return row
