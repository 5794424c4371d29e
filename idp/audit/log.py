"""Write audit events. Every authentication and token event goes through :func:`record`."""

from __future__ import annotations

from typing import Any

from idp.audit import context
from idp.audit.models import AuditEvent
from idp.storage.db import db


def client_ip() -> str | None:
    """The IP of the request being served (bound by the web layer), ``None`` outside one."""
    origin = context.current()
    return origin.ip if origin is not None else None


def record(
    event: str,
    *,
    result: str = "ok",
    person_oid: int | None = None,
    client_id: str | None = None,
    **detail: Any,
) -> None:
    """Add one event (who, what, client, IP, result, time) to the session: it is written in the
    same transaction as the change it describes, and only if that transaction commits."""
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
