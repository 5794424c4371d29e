"""The caller's own view: who the service takes them for, and their inbox."""

from __future__ import annotations

from typing import Any

from relying_party_demo import inbox
from relying_party_demo.access.policy import Action, pending_requirements, region_problem
from relying_party_demo.appointments.representation import notice_params
from relying_party_demo.guard import Caller, authorize
from relying_party_demo.medical import records
from relying_party_demo.models import utcnow
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
    inbox.remind_upcoming(caller.snils, now=utcnow(), hours=hours, describe=notice_params)
    return {"notifications": [inbox.notification_json(n) for n in inbox.messages_for(caller.snils)]}
