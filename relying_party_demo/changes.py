"""The change log: every change records who (``sub`` and role), when, what and the ``jti`` of
the access token that authorised it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from relying_party_demo.models import ChangeRecord, db


def record(
    *,
    actor_sub: str,
    actor_role: str | None,
    action: str,
    object_type: str,
    object_id: int | None,
    token_jti: str | None,
    patient_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> ChangeRecord:
    """Add a change to the current transaction (the caller commits it with the change itself)."""
    row = ChangeRecord(
        actor_sub=actor_sub,
        actor_role=actor_role,
        action=action,
        object_type=object_type,
        object_id=object_id,
        patient_id=patient_id,
        details=details or {},
        token_jti=token_jti,
    )
    db.session.add(row)
    return row


def for_patient(patient_id: int) -> list[ChangeRecord]:
    return list(
        db.session.scalars(
            select(ChangeRecord).where(ChangeRecord.patient_id == patient_id).order_by(ChangeRecord.id.desc())
        )
    )


def by_actor(sub: str) -> list[ChangeRecord]:
    return list(db.session.scalars(select(ChangeRecord).where(ChangeRecord.actor_sub == sub).order_by(ChangeRecord.id)))


def change_json(row: ChangeRecord) -> dict[str, Any]:
    return {
        "id": row.id,
        "at": row.at.isoformat(),
        "actor_sub": row.actor_sub,
        "actor_role": row.actor_role,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "details": row.details,
        "token_jti": row.token_jti,
    }
