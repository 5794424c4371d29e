"""Organizations (FRMO-style OIDs), doctors and patients (by SNILS), and the card's content."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from relying_party_demo.models import Base, UtcDateTime, utcnow


class Organization(Base):
    __tablename__ = "rp_organization"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    oid: Mapped[str] = mapped_column(String(64), unique=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    # The name case-folded in Python: SQLite's lower() folds ASCII only, not Cyrillic.
    name_folded: Mapped[str] = mapped_column(String(300))
    region_code: Mapped[str] = mapped_column(String(2), index=True)
    address: Mapped[str] = mapped_column(String(300))
    timezone: Mapped[str] = mapped_column(String(64))


class Doctor(Base):
    __tablename__ = "rp_doctor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snils: Mapped[str] = mapped_column(String(11), unique=True)
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    specialty: Mapped[str] = mapped_column(String(200))
    organization_id: Mapped[int] = mapped_column(ForeignKey("rp_organization.id"), index=True)
    organization: Mapped[Organization] = relationship()

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family_name, self.given_name, self.middle_name) if p)


class Patient(Base):
    """A patient; their electronic medical card is this record with its entries and documents
    (the card's id is the patient's id)."""

    __tablename__ = "rp_patient"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snils: Mapped[str] = mapped_column(String(11), unique=True)
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[date] = mapped_column(Date)
    oms_policy: Mapped[str | None] = mapped_column(String(16))
    region_code: Mapped[str] = mapped_column(String(2))
    organization_id: Mapped[int] = mapped_column(ForeignKey("rp_organization.id"), index=True)
    organization: Mapped[Organization] = relationship()
    entries: Mapped[list[CardEntry]] = relationship(
        back_populates="patient", order_by="(CardEntry.occurred_on, CardEntry.id)"
    )
    documents: Mapped[list[CardDocument]] = relationship(order_by="CardDocument.issued_on")

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family_name, self.given_name, self.middle_name) if p)


class CardEntry(Base):
    """One record in a card: a visit, diagnosis (ICD-10), test result, procedure, prescription
    or note. ``details`` holds the kind's structured fields (test name and value, drug, dose)."""

    __tablename__ = "rp_card_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("rp_patient.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    occurred_on: Mapped[date] = mapped_column(Date)
    icd10: Mapped[str | None] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("rp_doctor.id"))
    author_sub: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The access token that authorised the write; None for seeded demo data.
    token_jti: Mapped[str | None] = mapped_column(String(128))
    patient: Mapped[Patient] = relationship(back_populates="entries")
    doctor: Mapped[Doctor | None] = relationship()


class CardDocument(Base):
    """A document in the card (discharge summary, certificate, referral): its description."""

    __tablename__ = "rp_card_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("rp_patient.id"), index=True)
    doc_type: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    issued_on: Mapped[date] = mapped_column(Date)
    issuer: Mapped[str] = mapped_column(String(300))
