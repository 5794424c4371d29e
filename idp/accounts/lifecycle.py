"""Account life-cycle events that must end everything hanging on the account."""

from __future__ import annotations

from sqlalchemy import update

from idp.accounts.models import Person
from idp.audit import log as audit
from idp.services import services
from idp.sessions.models import BrowserSession
from idp.storage.db import db, utcnow


def end_everything_for(person_oid: int) -> None:
    """End every browser session and revoke every refresh token of the person."""
    db.session.execute(
        update(BrowserSession)
        .where(BrowserSession.person_oid == person_oid, BrowserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    db.session.commit()
    services().refresh.revoke_for_person(person_oid)


def disable_account(person_oid: int) -> bool:
    person = db.session.get(Person, person_oid)
    if person is None:
        return False
    person.disabled = True
    db.session.commit()
    end_everything_for(person_oid)
    audit.record("account_disabled", person_oid=person_oid)
    return True
