"""The person's own view of their signed-in browsers: list, end one (as logout does), end all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from idp.audit import log as audit
from idp.oidc.logout import SessionLogout
from idp.selfservice.lifecycle import AccountLifecycle
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


def end_one(person_oid: int, handle: str, *, logout: SessionLogout) -> bool:
    """End one of the person's sessions, named by its handle, as logout ends it: the row, and
    its refresh families, access tokens and clients' logins (:meth:`SessionLogout.end_everywhere`)."""
    ending = _open_session(person_oid, handle)
    ended = ending is not None and _mark_ended(ending)
    if ending is not None and ended:
        logout.end_everywhere(ending, person_oid)
    audit.record("session_ended_by_person", result="ok" if ended else "not_found", person_oid=person_oid)
    return ended


def _open_session(person_oid: int, handle: str) -> BrowserSession | None:
    if len(handle) != 16:
        return None
    query = select(BrowserSession).where(
        BrowserSession.person_oid == person_oid,
        BrowserSession.id_hash.startswith(handle, autoescape=True),
        BrowserSession.ended_at.is_(None),
    )
    return db.session.scalars(query.limit(1)).first()


def _mark_ended(ending: BrowserSession) -> bool:
    """End the row unless a parallel request already did (only one of them goes on to revoke)."""
    result = db.session.execute(
        update(BrowserSession)
        .where(BrowserSession.id_hash == ending.id_hash, BrowserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def end_all(person_oid: int, *, lifecycle: AccountLifecycle) -> None:
    lifecycle.end_everything_for(person_oid)
    audit.record("sessions_ended_by_person", person_oid=person_oid)
