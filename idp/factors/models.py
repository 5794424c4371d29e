"""Factors a person enrolled: TOTP apps, passkeys, the Gosuslugi app, linked bank cards.

SMS and the e-mail link need no enrolment (a confirmed phone or e-mail is enough) and a
qualified signature is identified by the SNILS in its certificate, so they have no row here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from idp.storage.db import UtcDateTime, db, utcnow


class EnrolledFactor(db.Model):  # type: ignore[name-defined]
    __tablename__ = "enrolled_factor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_oid: Mapped[int] = mapped_column(BigInteger, ForeignKey("person.oid"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "totp" | "passkey" | "app" | "card"
    label: Mapped[str] = mapped_column(String(100), default="")
    # TOTP: the shared secret, encrypted (Fernet) with a key derived from the server secret.
    secret: Mapped[str | None] = mapped_column(String(500))
    # Passkey: credential id (base64url, unique) and COSE public key (base64url).
    credential_id: Mapped[str | None] = mapped_column(String(1400), unique=True)
    public_key: Mapped[str | None] = mapped_column(Text)
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
