"""Durable ESIA data: registered systems, their certificates, refresh tokens (hashed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from idp.storage.db import UtcDateTime, db, utcnow

TOKEN_ALGS = ("RS256", "GOST3410_2012_256")


class EsiaClient(db.Model):  # type: ignore[name-defined]
    """An information system registered with the stand under a mnemonic ``client_id``."""

    __tablename__ = "esia_client"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    token_alg: Mapped[str] = mapped_column(String(20), default="RS256")
    require_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    certificates: Mapped[list[EsiaClientCertificate]] = relationship(
        back_populates="client", order_by="EsiaClientCertificate.id", lazy="selectin"
    )

    def active_certificates(self) -> list[EsiaClientCertificate]:
        return [c for c in self.certificates if c.revoked_at is None]


class EsiaClientCertificate(db.Model):  # type: ignore[name-defined]
    """A certificate a system signs its ``client_secret`` with; both hash forms are kept
    so a ``client_certificate_hash`` of either form finds it."""

    __tablename__ = "esia_client_certificate"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), ForeignKey("esia_client.client_id"), index=True)
    der: Mapped[bytes] = mapped_column(LargeBinary)
    key_algorithm: Mapped[str] = mapped_column(String(20))
    sha256_hex: Mapped[str] = mapped_column(String(64), index=True)
    gost_hex: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str] = mapped_column(String(400))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    client: Mapped[EsiaClient] = relationship(back_populates="certificates")


class EsiaRefreshToken(db.Model):  # type: ignore[name-defined]
    """An ESIA refresh token, stored only as a digest; rotated tokens share a family."""

    __tablename__ = "esia_refresh_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    family_id: Mapped[str] = mapped_column(String(64), index=True)
    client_id: Mapped[str] = mapped_column(String(64), ForeignKey("esia_client.client_id"))
    person_oid: Mapped[int] = mapped_column(BigInteger, ForeignKey("person.oid"), index=True)
    scope: Mapped[str] = mapped_column(Text)
    auth_time: Mapped[int] = mapped_column(BigInteger)
    amr: Mapped[list[str]] = mapped_column(JSON, default=list)
    sid: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
