"""A person's account: identity data in the shape Gosuslugi keeps it."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from idp.errors import N_
from idp.storage.db import UtcDateTime, db, utcnow


class AccountLevel(enum.StrEnum):
    SIMPLIFIED = N_("simplified")
    STANDARD = N_("standard")
    CONFIRMED = N_("confirmed")


class Person(db.Model):  # type: ignore[name-defined]
    __tablename__ = "person"

    oid: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    surname: Mapped[str | None] = mapped_column(String(60))
    name: Mapped[str | None] = mapped_column(String(60))
    patronymic: Mapped[str | None] = mapped_column(String(60))
    birth_date: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(1))
    snils: Mapped[str | None] = mapped_column(String(11), unique=True)
    inn: Mapped[str | None] = mapped_column(String(12))
    passport_series: Mapped[str | None] = mapped_column(String(4))
    passport_number: Mapped[str | None] = mapped_column(String(6))
    passport_issue_date: Mapped[date | None] = mapped_column(Date)
    passport_issued_by: Mapped[str | None] = mapped_column(String(200))
    oms_policy: Mapped[str | None] = mapped_column(String(16))
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    phone_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    password_hash: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str | None] = mapped_column(String(2))
    address: Mapped[str | None] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(12), default=AccountLevel.SIMPLIFIED.value)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    organization_oid: Mapped[str | None] = mapped_column(String(64))
    organization_name: Mapped[str | None] = mapped_column(String(200))
    specialty: Mapped[str | None] = mapped_column(String(100))
    regional_doctor_certificate: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # the factor of the last complete login, offered first next time
    last_factor: Mapped[str | None] = mapped_column(String(20))
    password_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # what raised the account to its level: "registry", "card", "qes", "in_person", "seed"
    level_evidence: Mapped[str | None] = mapped_column(String(20))
    # The identity verification (idp.accounts.personal_data): when and how the data was last
    # confirmed, and a digest of each confirmed field, so a later change shows as unverified.
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    verification_evidence: Mapped[list[dict[str, str]] | None] = mapped_column(JSON, default=list)
    verified_snapshot: Mapped[dict[str, str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.name, self.patronymic) if p)

    @property
    def profile_complete(self) -> bool:
        return bool(self.surname and self.name and self.birth_date and self.passport_number)
