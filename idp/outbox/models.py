"""Dev-mode outbox: every SMS and e-mail the IdP would send, kept for people and tests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from idp.storage.db import UtcDateTime, db, utcnow


class OutboxMessage(db.Model):  # type: ignore[name-defined]
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))  # "sms" | "email"
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
