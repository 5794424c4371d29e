"""The audit table. Rows are only ever inserted: an ORM guard and database triggers
(see the initial migration) refuse UPDATE and DELETE."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from idp.storage.db import UtcDateTime, db, utcnow


class AuditEvent(db.Model):  # type: ignore[name-defined]
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    event: Mapped[str] = mapped_column(String(60), index=True)
    result: Mapped[str] = mapped_column(String(20))
    person_oid: Mapped[int | None] = mapped_column(BigInteger, index=True)
    client_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AuditIsAppendOnly(RuntimeError):
    pass


def _refuse(*_: object) -> None:
    raise AuditIsAppendOnly("audit events cannot be changed or deleted")


event.listen(AuditEvent, "before_update", _refuse)
event.listen(AuditEvent, "before_delete", _refuse)
