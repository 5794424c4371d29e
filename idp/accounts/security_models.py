"""Account-security records: previous password hashes and the browsers a person used."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from idp.storage.db import UtcDateTime, db, utcnow


class PasswordHistory(db.Model):  # type: ignore[name-defined]
    """Hashes of a person's previous passwords (the policy refuses the last five)."""

    __tablename__ = "password_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_oid: Mapped[int] = mapped_column(BigInteger, ForeignKey("person.oid"), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class KnownDevice(db.Model):  # type: ignore[name-defined]
    """A browser a person has signed in from; a new one triggers a notification."""

    __tablename__ = "known_device"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_oid: Mapped[int] = mapped_column(BigInteger, ForeignKey("person.oid"), index=True)
    device_digest: Mapped[str] = mapped_column(String(64), index=True)
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class InPersonCode(db.Model):  # type: ignore[name-defined]
    """A one-time code given at a service centre after the passport was seen (confirmed level)."""

    __tablename__ = "in_person_code"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_oid: Mapped[int] = mapped_column(BigInteger, ForeignKey("person.oid"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
