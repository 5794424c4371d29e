"""The caller's own view: who the service takes them for, and their inbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from relying_party_demo import changes, inbox, people
from relying_party_demo.access.policy import Action, Identity, pending_requirements, region_problem
from relying_party_demo.appointments.representation import notice_params
from relying_party_demo.errors import InvalidField
from relying_party_demo.guard import Caller, authorize
from relying_party_demo.medical import records
from relying_party_demo.models import db
from relying_party_demo.services import services


def me(caller: Caller) -> dict[str, Any]:
    """Roles and claims as the service reads them, the linked records, and what is still
    pending in the person's region (documents, consent, a changed address region)."""
    rules = services().rules
    patient = records.patient_by_snils(caller.snils)
    doctor = records.doctor_by_snils(caller.snils)
    problem = region_problem(caller.subject, caller.state, rules)
    organization = caller.token.organization_oid
    return {
        "sub": caller.sub,
        "roles": sorted(caller.subject.roles),
        "region": caller.subject.region,
        "acr": caller.subject.acr,
        "amr": sorted(caller.subject.amr),
        "scopes": sorted(caller.subject.scopes),
        "organization": {"oid": organization, "name": caller.token.organization_name} if organization else None,
        "regional_doctor_certificate": caller.subject.regional_doctor_certificate,
        "identity": caller.identity.value,
        "card_id": patient.id if patient else None,
        "doctor_id": doctor.id if doctor else None,
        "pending_requirements": [r.id for r in pending_requirements(caller.subject, caller.state, rules)],
        "region_problem": problem.reason.value if problem and problem.reason else None,
    }


def read_inbox(caller: Caller) -> dict[str, Any]:
    """The person's notifications, newest first, after adding reminders of upcoming visits."""
    authorize(caller, Action.READ_INBOX)
    if caller.snils is None:
        return {"notifications": []}
    hours = services().settings.upcoming_visit_hours
    now = services().clock.now()
    inbox.remind_upcoming(caller.snils, now=now, hours=hours, describe=notice_params)
    return {"notifications": [inbox.notification_json(n) for n in inbox.messages_for(caller.snils)]}


@dataclass(frozen=True)
class SnilsChange:
    """The confirmed SNILS the service linked, and the other confirmed one the IdP now gives."""

    linked: str
    presented: str


def snils_change(caller: Caller) -> SnilsChange | None:
    if caller.identity is not Identity.SNILS_CHANGED:
        return None
    link = people.find_link(caller.sub)
    if link is None or link.snils is None or link.presented_snils is None:
        return None
    return SnilsChange(linked=link.snils, presented=link.presented_snils)


def confirm_snils(caller: Caller) -> None:
    """The person confirms that the new SNILS is theirs: the account is linked to its medical
    record from now on. Recorded in the change log (old and new SNILS, the token)."""
    change = snils_change(caller)
    if change is None:
        raise InvalidField("snils", "there is no changed SNILS to confirm")
    changes.record(
        actor_sub=caller.sub,
        actor_role=None,
        action="snils_confirmed",
        object_type="person",
        object_id=None,
        token_jti=caller.jti,
        details={"from": change.linked, "to": change.presented},
    )
    people.confirm_snils(caller.sub, now=services().clock.now())
    db.session.commit()
