"""Who is signed in to a browser: the live session its cookie names, and that session's person.

The web layer keeps the session id in the cookie (idp.web.current) and asks here; the rules
(lifetime, idle limit, a disabled account signs nobody in, a new sign-in ends the old session)
live in :class:`~idp.sessions.service.SessionService` and below.
"""

from __future__ import annotations

from idp.accounts.models import Person
from idp.sessions.models import BrowserSession
from idp.sessions.service import SessionService
from idp.storage.db import db


class SignedInBrowsers:
    def __init__(self, sessions: SessionService) -> None:
        self._sessions = sessions

    def session(self, raw_sid: str | None) -> BrowserSession | None:
        """The live session named by ``raw_sid`` (not ended, within its lifetime and idle limit)."""
        return self._sessions.load(raw_sid)

    def person(self, raw_sid: str | None) -> Person | None:
        """The person of the live session, unless the account is gone or disabled."""
        found = self.session(raw_sid)
        if found is None:
            return None
        person = db.session.get(Person, found.person_oid)
        return None if person is None or person.disabled else person

    def sign_in(
        self,
        *,
        replacing: str | None,
        person_oid: int,
        amr: list[str],
        acr: str,
        ip: str | None,
        user_agent: str | None,
    ) -> str:
        """End the browser's previous session (``replacing``) and start one; returns its new id."""
        if replacing:
            self._sessions.end(replacing)
        return self._sessions.create(person_oid=person_oid, amr=amr, acr=acr, ip=ip, user_agent=user_agent)

    def sign_out(self, raw_sid: str | None) -> None:
        self._sessions.end(raw_sid)
