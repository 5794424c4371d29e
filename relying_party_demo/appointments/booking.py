"""Booking, cancelling and attendance, safe under concurrency.

Booking flips the slot from ``free`` to ``booked`` with a conditional UPDATE: of two parallel
requests for one slot, the database lets exactly one match ``status = 'free'`` (PostgreSQL
re-checks the condition after the row lock; SQLite serialises writers). The partial unique
index on live appointments per slot is the second line of defence.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from relying_party_demo.appointments.models import (
    ATTENDED,
    BOOKED,
    CANCELLED,
    MISSED,
    SLOT_BOOKED,
    SLOT_FREE,
    Appointment,
    Slot,
)
from relying_party_demo.errors import AppointmentClosed, SlotUnavailable
from relying_party_demo.medical.models import Patient
from relying_party_demo.models import db, utcnow


def book(slot: Slot, patient: Patient, *, by_sub: str, now: datetime) -> Appointment:
    """Book ``slot`` for ``patient`` in the current transaction (the caller commits);
    :class:`SlotUnavailable` if it is taken, withdrawn or already past."""
    if slot.starts_at <= now:
        raise SlotUnavailable("this time has already passed")
    slot_id = slot.id
    result = db.session.execute(
        update(Slot).where(Slot.id == slot_id, Slot.status == SLOT_FREE).values(status=SLOT_BOOKED)
    )
    if getattr(result, "rowcount", 0) != 1:
        db.session.rollback()
        raise SlotUnavailable("someone else has just booked this time")
    appointment = Appointment(slot_id=slot_id, patient_id=patient.id, status=BOOKED, booked_by_sub=by_sub)
    db.session.add(appointment)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise SlotUnavailable("someone else has just booked this time") from None
    return appointment


def cancel(appointment: Appointment) -> None:
    """Cancel a booked appointment and free its slot (the caller commits)."""
    _change_status(appointment, to=CANCELLED)
    db.session.execute(
        update(Slot).where(Slot.id == appointment.slot_id, Slot.status == SLOT_BOOKED).values(status=SLOT_FREE)
    )


def mark_attendance(appointment: Appointment, *, attended: bool, now: datetime) -> None:
    """Mark a booked appointment attended or missed, from the visit's day on (the caller commits)."""
    zone = ZoneInfo(appointment.slot.schedule.doctor.organization.timezone)
    if appointment.slot.starts_at.astimezone(zone).date() > now.astimezone(zone).date():
        raise AppointmentClosed("attendance can be marked from the day of the visit")
    _change_status(appointment, to=ATTENDED if attended else MISSED)


def _change_status(appointment: Appointment, *, to: str) -> None:
    appointment_id = appointment.id
    result = db.session.execute(
        update(Appointment)
        .where(Appointment.id == appointment_id, Appointment.status == BOOKED)
        .values(status=to, updated_at=utcnow())
    )
    if getattr(result, "rowcount", 0) != 1:
        db.session.rollback()
        raise AppointmentClosed(f"appointment {appointment_id} is no longer booked")
    db.session.refresh(appointment)


def appointment_by_id(appointment_id: int) -> Appointment | None:
    return db.session.get(Appointment, appointment_id)


def appointments_of_patient(patient_id: int) -> list[Appointment]:
    stmt = select(Appointment).join(Slot).where(Appointment.patient_id == patient_id).order_by(Slot.starts_at)
    return list(db.session.scalars(stmt))
