"""The person's own view of their signed-in browsers: list, end one, end all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from idp.accounts.lifecycle import end_everything_for
from idp.audit import log as audit
from idp.sessions.models import BrowserSession
from idp.storage.db import db, utcnow


@dataclass(frozen=True)
class SessionView:
    handle: str  # a prefix of the stored digest: names the session without revealing the cookie
    created_at: datetime
    ip: str
    user_agent: str
    amr: list[str]
    current: bool


def active_sessions(person_oid: int, *, current_hash: str | None, ttl: int) -> list[SessionView]:
    since = utcnow() - timedelta(seconds=ttl)
    query = (
        select(BrowserSession)
        .where(
            BrowserSession.person_oid == person_oid,
            BrowserSession.ended_at.is_(None),
            BrowserSession.created_at > since,
        )
        .order_by(BrowserSession.created_at.desc())
    )
    return [
        SessionView(
            s.id_hash[:16], s.created_at, s.ip or "", s.user_agent or "", list(s.amr or []), s.id_hash == current_hash
        )
        for s in db.session.scalars(query)
    ]


def end_one(person_oid: int, handle: str) -> bool:
    if len(handle) != 16:
        return False
    result = db.session.execute(
        update(BrowserSession)
        .where(
            BrowserSession.person_oid == person_oid,
            BrowserSession.id_hash.startswith(handle),
            BrowserSession.ended_at.is_(None),
        )
        .values(ended_at=utcnow())
    )
    db.session.commit()
    ended = bool(getattr(result, "rowcount", 0))
    audit.record("session_ended_by_person", result="ok" if ended else "not_found", person_oid=person_oid)
    return ended


def end_all(person_oid: int) -> None:
    end_everything_for(person_oid)
    audit.record("sessions_ended_by_person", person_oid=person_oid)
