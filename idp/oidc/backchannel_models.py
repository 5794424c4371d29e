"""The back-channel logout outbox: one row per client to tell of one ended session, written in the
transaction of the logout and delivered (with retries) by whichever IdP process is alive
(:mod:`idp.oidc.backchannel`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from idp.storage.db import UtcDateTime, db, utcnow

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


class BackchannelDelivery(db.Model):  # type: ignore[name-defined]
    """What to sign and where to POST it; the logout token itself is signed at each attempt, so
    a retry minutes later still carries a fresh ``iat`` (relying parties refuse stale ones)."""

    __tablename__ = "backchannel_delivery"
    __table_args__ = (Index("ix_backchannel_delivery_state_due_at", "state", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    uri: Mapped[str] = mapped_column(String(500))
    person_oid: Mapped[int] = mapped_column(BigInteger)
    sub: Mapped[str] = mapped_column(String(64))
    sid: Mapped[str] = mapped_column(String(64))
    alg: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10), default=PENDING)  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # attempts finished (answered or not)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)  # the next attempt, on the outbox's clock
    claimed_by: Mapped[str | None] = mapped_column(String(32))  # the delivery run holding the lease
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)  # the lease: free again after it
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
