"""A signed-in browser: the cookie carries a random id, the database only its digest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from idp.storage.db import UtcDateTime, db, utcnow


class BrowserSession(db.Model):  # type: ignore[name-defined]
    __tablename__ = "browser_session"

    id_hash: Mapped[str] = mapped_column(String(128), primary_key=True)
    person_oid: Mapped[int] = mapped_column(BigInteger, ForeignKey("person.oid"), index=True)
    auth_time: Mapped[int] = mapped_column(BigInteger)
    amr: Mapped[list[str]] = mapped_column(JSON, default=list)
    acr: Mapped[str] = mapped_column(String(40))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    client_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
