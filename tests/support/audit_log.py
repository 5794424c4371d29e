"""The audit rows a test looks for."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select


def audit_events(app: Flask, event: str) -> list[Any]:
    """Every audit row of ``event``, oldest first."""
    from idp.audit.models import AuditEvent
    from idp.storage.db import db

    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.event == event).order_by(AuditEvent.id)))
