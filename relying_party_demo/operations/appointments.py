"""Schedules, booking, cancelling and attendance; every change is recorded and the patient is
told in their inbox. The time is the service's calendar clock (``services().clock``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select

from relying_party_demo import changes, inbox
from relying_party_demo.access.policy import Action, Target
from relying_party_demo.appointments import booking, schedules
from relying_party_demo.appointments.models import Appointment, Schedule, Slot
from relying_party_demo.appointments.representation import appointment_json, notice_params, schedule_json
from relying_party_demo.clock import local_date
from relying_party_demo.errors import InvalidField, NotFound
from relying_party_demo.guard import Caller, authorize, require_scope
from relying_party_demo.medical import records
from relying_party_demo.medical.models import Doctor, Organization
from relying_party_demo.models import db
from relying_party_demo.services import services

MAX_DAYS = 31


def appointment_target(appointment: Appointment) -> Target:
    doctor = appointment.slot.schedule.doctor
    return Target(
        patient_snils=appointment.patient.snils,
        doctor_snils=doctor.snils,
        organization_oid=doctor.organization.oid,
    )


def list_schedules(
    caller: Caller, *, organization_oid: str | None, doctor_id: int | None, from_day: date | None, days: int
) -> dict[str, Any]:
    """Schedule days from ``from_day`` (default: today where the organization is) with their
    upcoming slots; days whose slots have all begun are left out."""
    authorize(caller, Action.VIEW_SCHEDULES)
    if not 1 <= days <= MAX_DAYS:
        raise InvalidField("days", f"must be from 1 to {MAX_DAYS}")
    now = _now()
    start = from_day or _today(organization_oid, now)
    if start > (last := date.max - timedelta(days=days)):
        raise InvalidField("from", f"must be a day up to {last.isoformat()} for {days} days")
    found = schedules.schedules(
        organization_oid=organization_oid, doctor_id=doctor_id, from_day=start, days=days, now=now
    )
    return {"schedules": [schedule_json(s, now=now) for s in found]}


def _today(organization_oid: str | None, now: datetime) -> date:
    """Today in the organization's time zone; without one, the UTC date, which is never later
    than today in a Russian time zone (all are east of UTC)."""
    organization = records.organization_by_oid(organization_oid) if organization_oid else None
    if organization is not None:
        return local_date(now, organization.timezone)
    return now.astimezone(UTC).date()


def create_schedule(caller: Caller, body: object) -> dict[str, Any]:
    """A registrar adds a day of a doctor's schedule in their organization."""
    require_scope(caller, Action.MANAGE_SCHEDULE)
    spec = schedules.parse_schedule(body)
    doctor = db.session.get(Doctor, spec.doctor_id)
    if doctor is None:
        raise InvalidField("doctor_id", f"there is no doctor {spec.doctor_id}")
    role = authorize(caller, Action.MANAGE_SCHEDULE, Target(organization_oid=doctor.organization.oid))
    now = _now()
    schedule = schedules.create_schedule(doctor, spec, created_by_sub=caller.sub, now=now)
    _record(caller, role, "schedule_created", "schedule", schedule.id, details={"day": spec.day.isoformat()})
    db.session.commit()
    return schedule_json(schedule, now=now)


def withdraw_slot(caller: Caller, slot_id: int) -> dict[str, Any]:
    slot = _slot(caller, Action.MANAGE_SCHEDULE, slot_id)
    role = authorize(caller, Action.MANAGE_SCHEDULE, Target(organization_oid=slot.schedule.doctor.organization.oid))
    schedules.withdraw_slot(slot.id)
    _record(caller, role, "slot_withdrawn", "slot", slot.id)
    db.session.commit()
    db.session.refresh(slot)
    return {"id": slot.id, "status": slot.status}


def book(caller: Caller, slot_id: int) -> dict[str, Any]:
    """A patient books a free upcoming slot for themselves; a slot is never booked twice, nor
    more than the configured number of upcoming appointments per organization."""
    slot = _slot(caller, Action.BOOK_SLOT, slot_id)
    patient = records.patient_by_snils(caller.snils)
    target = Target(
        patient_snils=patient.snils if patient else None,
        organization_oid=slot.schedule.doctor.organization.oid,
    )
    role = authorize(caller, Action.BOOK_SLOT, target)
    assert patient is not None  # the policy refuses a caller without a patient record
    limit = services().settings.upcoming_appointment_limit
    appointment = booking.book(slot, patient, by_sub=caller.sub, now=_now(), limit=limit)
    _record(caller, role, "appointment_booked", "appointment", appointment.id, patient_id=patient.id)
    inbox.notify(patient.snils, "appointment_booked", notice_params(appointment))
    db.session.commit()
    return appointment_json(appointment)


def cancel(caller: Caller, appointment_id: int) -> dict[str, Any]:
    """The patient, or a registrar of the organization, cancels a booked appointment."""
    appointment = _appointment(caller, Action.CANCEL_APPOINTMENT, appointment_id)
    role = authorize(caller, Action.CANCEL_APPOINTMENT, appointment_target(appointment))
    booking.cancel(appointment, now=_now())
    _record(caller, role, "appointment_cancelled", "appointment", appointment.id, patient_id=appointment.patient_id)
    inbox.notify(appointment.patient.snils, "appointment_cancelled", notice_params(appointment))
    db.session.commit()
    return appointment_json(appointment)


def mark_attendance(caller: Caller, appointment_id: int, body: object) -> dict[str, Any]:
    """The doctor of the appointment marks it attended or missed."""
    appointment = _appointment(caller, Action.MARK_ATTENDANCE, appointment_id)
    role = authorize(caller, Action.MARK_ATTENDANCE, appointment_target(appointment))
    if not isinstance(body, dict) or set(body) != {"attended"} or not isinstance(body["attended"], bool):
        raise InvalidField("attended", 'send {"attended": true} or {"attended": false}')
    booking.mark_attendance(appointment, attended=body["attended"], now=_now())
    _record(caller, role, f"appointment_{appointment.status}", "appointment", appointment.id, appointment.patient_id)
    inbox.notify(appointment.patient.snils, f"appointment_{appointment.status}", notice_params(appointment))
    db.session.commit()
    return appointment_json(appointment)


def read_appointment(caller: Caller, appointment_id: int) -> dict[str, Any]:
    appointment = _appointment(caller, Action.READ_APPOINTMENT, appointment_id)
    authorize(caller, Action.READ_APPOINTMENT, appointment_target(appointment))
    return appointment_json(appointment)


def my_appointments(caller: Caller) -> dict[str, Any]:
    """As a patient: mine; as a doctor: in my schedule; as a registrar: my organization's."""
    authorize(caller, Action.READ_APPOINTMENTS)
    stmt = select(Appointment).join(Slot).join(Schedule).join(Doctor).join(Organization)
    conditions = []
    if caller.has_role("patient") and (patient := records.patient_by_snils(caller.snils)) is not None:
        conditions.append(Appointment.patient_id == patient.id)
    if caller.has_role("doctor") and caller.snils:
        conditions.append(Doctor.snils == caller.snils)
    if caller.has_role("registrar") and caller.token.organization_oid:
        conditions.append(Organization.oid == caller.token.organization_oid)
    if not conditions:
        return {"appointments": []}
    since = _now() - timedelta(days=MAX_DAYS)
    rows = db.session.scalars(stmt.where(or_(*conditions), Slot.starts_at >= since).order_by(Slot.starts_at))
    return {"appointments": [appointment_json(a) for a in rows]}


def _now() -> datetime:
    return services().clock.now()


def _slot(caller: Caller, action: Action, slot_id: int) -> Slot:
    require_scope(caller, action)
    slot = schedules.slot_by_id(slot_id)
    if slot is None:
        raise NotFound(f"there is no slot {slot_id}")
    return slot


def _appointment(caller: Caller, action: Action, appointment_id: int) -> Appointment:
    require_scope(caller, action)
    appointment = booking.appointment_by_id(appointment_id)
    if appointment is None:
        raise NotFound(f"there is no appointment {appointment_id}")
    return appointment


def _record(
    caller: Caller,
    role: str | None,
    action: str,
    object_type: str,
    object_id: int,
    patient_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    changes.record(
        actor_sub=caller.sub,
        actor_role=role,
        action=action,
        object_type=object_type,
        object_id=object_id,
        patient_id=patient_id,
        details=details,
        token_jti=caller.jti,
    )
