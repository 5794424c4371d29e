"""The RP's own database: medical cards, their entries and browser login sessions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes, also on SQLite (which stores them naive)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class MedicalCard(Base):
    __tablename__ = "medical_card"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_oid: Mapped[int] = mapped_column(BigInteger, unique=True)
    patient_snils: Mapped[str | None] = mapped_column(String(11))
    created: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    entries: Mapped[list[CardEntry]] = relationship(
        back_populates="card", order_by="CardEntry.created_at", cascade="all, delete-orphan"
    )


class CardEntry(Base):
    __tablename__ = "card_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("medical_card.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    icd10: Mapped[str | None] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    author_sub: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The access token that authorised the write; None for seeded demo data.
    token_jti: Mapped[str | None] = mapped_column(String(128))
    card: Mapped[MedicalCard] = relationship(back_populates="entries")


class LoginSession(Base):
    """A browser's login: tokens stay on the server, the cookie holds only ``id``."""

    __tablename__ = "login_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(64), index=True)
    claims: Mapped[dict[str, Any]] = mapped_column(JSON)
    scopes: Mapped[str] = mapped_column(Text)
    id_token: Mapped[str] = mapped_column(Text)
    access_token: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
