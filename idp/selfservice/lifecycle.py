"""Account life-cycle events that must end everything hanging on the account."""

from __future__ import annotations

from sqlalchemy import select, update

from idp.accounts.models import Person
from idp.audit import log as audit
from idp.esia import refresh as esia_refresh
from idp.oidc.logout import session_sid
from idp.oidc.refresh import RefreshTokenService
from idp.oidc.revocation import AccessTokenDenyList
from idp.sessions.models import BrowserSession
from idp.storage.db import db, utcnow


class AccountLifecycle:
    """Built once with the app's services (``Services.lifecycle``)."""

    def __init__(self, *, refresh: RefreshTokenService, deny_list: AccessTokenDenyList, access_token_ttl: int) -> None:
        self._refresh, self._deny_list, self._access_token_ttl = refresh, deny_list, access_token_ttl

    def end_everything_for(self, person_oid: int) -> None:
        """End every browser session and revoke every refresh token of the person (ESIA ones too);
        each ended session's ``sid`` goes on the access-token deny list, as on logout, so access
        tokens issued without a refresh token stop too."""
        open_sessions = (BrowserSession.person_oid == person_oid, BrowserSession.ended_at.is_(None))
        ending = [session_sid(s) for s in db.session.scalars(select(BrowserSession).where(*open_sessions))]
        db.session.execute(update(BrowserSession).where(*open_sessions).values(ended_at=utcnow()))
        esia_refresh.revoke_for_person(person_oid)
        self._refresh.revoke_for_person(person_oid)
        for sid in ending:
            self._deny_list.revoke_session(sid, ttl=self._access_token_ttl + 60)

    def disable_account(self, person_oid: int) -> bool:
        person = db.session.get(Person, person_oid)
        if person is None:
            return False
        person.disabled = True
        self.end_everything_for(person_oid)
        audit.record("account_disabled", person_oid=person_oid)
        return True
