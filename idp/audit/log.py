"""Write audit events. Every authentication and token event goes through :func:`record`."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from idp.audit.models import AuditEvent
from idp.storage.db import db


def client_ip() -> str | None:
    return request.remote_addr if has_request_context() else None


def record(
    event: str,
    *,
    result: str = "ok",
    person_oid: int | None = None,
    client_id: str | None = None,
    commit: bool = True,
    **detail: Any,
) -> None:
    """Append one event (who, what, client, IP, result, time) and commit by default."""
    db.session.add(
        AuditEvent(
            event=event,
            result=result,
            person_oid=person_oid,
            client_id=client_id,
            ip=client_ip(),
            detail={k: v for k, v in detail.items() if v is not None},
        )
    )
    if commit:
        db.session.commit()
