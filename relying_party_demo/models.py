"""The RP's database: the SQLAlchemy base and the tables about people and their logins.

Every table of the RP starts with ``rp_`` and the RP's Alembic version table is
``rp_alembic_version``, so the RP may share a PostgreSQL database with the IdP.
Medical data is in :mod:`relying_party_demo.medical.models`, appointments in
:mod:`relying_party_demo.appointments.models`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, DateTime, Index, Integer, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
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


class LoginSession(Base):
    """A browser's login: tokens stay on the server, the cookie holds only ``id``."""

    __tablename__ = "rp_login_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(64), index=True)
    claims: Mapped[dict[str, Any]] = mapped_column(JSON)
    scopes: Mapped[str] = mapped_column(Text)
    id_token: Mapped[str] = mapped_column(Text)
    access_token: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The IdP's session id (ID token ``sid``): a back-channel logout names it.
    idp_sid: Mapped[str | None] = mapped_column(String(128), index=True)


class SeenLogoutToken(Base):
    """Logout tokens already acted on (``jti``), so a replay is refused until it expires."""

    __tablename__ = "rp_logout_token"

    jti: Mapped[str] = mapped_column(String(256), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class PersonLink(Base):
    """An IdP person (``sub``) linked to the medical data by SNILS, with the region the service
    accepted at their first login (a later, different region claim is a changed address).

    ``snils`` links only once the IdP confirmed it (``snils_verified_at``); a different confirmed
    SNILS later waits in ``presented_snils`` until the person confirms the change. ``identity``
    is how the SNILS stood at the last check, made for the access token ``checked_jti``."""

    __tablename__ = "rp_person"

    sub: Mapped[str] = mapped_column(String(64), primary_key=True)
    snils: Mapped[str | None] = mapped_column(String(11), index=True)
    snils_verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    presented_snils: Mapped[str | None] = mapped_column(String(11))
    identity: Mapped[str | None] = mapped_column(String(16))
    checked_jti: Mapped[str | None] = mapped_column(String(128))
    accepted_region: Mapped[str | None] = mapped_column(String(2))
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class RequirementRecord(Base):
    """A once-only regional requirement a person completed: documents given, consent given.
    A revoked record (``revoked_at``) no longer counts; at most one is active at a time."""

    __tablename__ = "rp_requirement_record"
    __table_args__ = (
        Index(
            "uq_rp_requirement_active",
            "sub",
            "requirement_id",
            "region_code",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sub: Mapped[str] = mapped_column(String(64), index=True)
    requirement_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    region_code: Mapped[str] = mapped_column(String(2))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    completed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    token_jti: Mapped[str | None] = mapped_column(String(128))


class UploadedDocument(Base):
    """A file a person uploaded (the copy of an OMS policy), kept with its SHA-256 digest."""

    __tablename__ = "rp_uploaded_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sub: Mapped[str] = mapped_column(String(64), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ChangeRecord(Base):
    """Every change anyone makes: who (``sub`` and role), when, what, and the token's ``jti``."""

    __tablename__ = "rp_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor_sub: Mapped[str] = mapped_column(String(64), index=True)
    actor_role: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    patient_id: Mapped[int | None] = mapped_column(Integer, index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    token_jti: Mapped[str | None] = mapped_column(String(128))


class DpopProofRecord(Base):
    """A DPoP proof's ``jti``, kept until the proof could no longer be fresh (replay protection)."""

    __tablename__ = "rp_dpop_proof"
    __table_args__ = (UniqueConstraint("jkt", "jti", name="uq_rp_dpop_proof"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jkt: Mapped[str] = mapped_column(String(64))
    jti: Mapped[str] = mapped_column(String(256))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class Notification(Base):
    """A message in a person's inbox, addressed by SNILS; rendered in the reader's language
    from ``kind`` and ``params``. ``dedupe_key`` makes system reminders once-only."""

    __tablename__ = "rp_notification"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient_snils: Mapped[str] = mapped_column(String(11), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    dedupe_key: Mapped[str | None] = mapped_column(String(100), unique=True)
