"""Server-side browser sessions: created after a complete login, ended at logout."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select, update

from idp.security.hashes import new_token, secret_digest
from idp.sessions.models import BrowserSession
from idp.storage.db import db, utcnow


class SessionService:
    def __init__(self, *, ttl: int, idle_ttl: int | None = None) -> None:
        self._ttl = ttl
        self._idle = idle_ttl or ttl

    def create(self, *, person_oid: int, amr: list[str], acr: str, ip: str | None, user_agent: str | None) -> str:
        """Return a new random session id (256 bits); only its digest is stored."""
        raw = new_token(32)
        db.session.add(
            BrowserSession(
                id_hash=secret_digest(raw),
                person_oid=person_oid,
                auth_time=int(time.time()),
                amr=amr,
                acr=acr,
                ip=ip,
                user_agent=(user_agent or "")[:300],
            )
        )
        return raw

    def load(self, raw: str | None) -> BrowserSession | None:
        if not raw:
            return None
        found = db.session.get(BrowserSession, secret_digest(raw))
        if found is None or found.ended_at is not None:
            return None
        now = utcnow()
        if found.created_at + timedelta(seconds=self._ttl) < now:
            return None
        if found.last_seen_at + timedelta(seconds=self._idle) < now:
            return None
        if now - found.last_seen_at > timedelta(seconds=60):  # one write a minute at most
            found.last_seen_at = now
        return found

    def remember_client(self, sid: str | None, client_id: str) -> None:
        """Record that a client got a code in this session (for back-channel logout)."""
        if not sid:
            return
        found = db.session.scalar(select(BrowserSession).where(BrowserSession.id_hash.startswith(sid)))
        if found is not None and client_id not in (found.client_ids or []):
            found.client_ids = [*(found.client_ids or []), client_id]

    def end(self, raw: str | None) -> None:
        if not raw:
            return
        db.session.execute(
            update(BrowserSession)
            .where(BrowserSession.id_hash == secret_digest(raw), BrowserSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
