"""Booking, cancelling and attendance, safe under concurrency.

Booking flips the slot from ``free`` to ``booked`` with a conditional UPDATE: of two parallel
requests for one slot, the database lets exactly one match ``status = 'free'`` (PostgreSQL
re-checks the condition after the row lock; SQLite serialises writers). The partial unique
index on live appointments per slot is the second line of defence.

A patient may hold at most ``limit`` upcoming appointments per organization. The count is taken
after locking the patient's row (PostgreSQL), or after the slot UPDATE took SQLite's write lock,
so parallel bookings by one patient are counted one after the other and cannot exceed it.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from relying_party_demo.appointments.models import (
    ATTENDED,
    BOOKED,
    CANCELLED,
    MISSED,
    SLOT_BOOKED,
    SLOT_FREE,
    Appointment,
    Schedule,
    Slot,
)
from relying_party_demo.errors import AppointmentClosed, BookingLimitReached, SlotInPast, SlotUnavailable
from relying_party_demo.medical.models import Doctor, Patient
from relying_party_demo.models import db


def book(slot: Slot, patient: Patient, *, by_sub: str, now: datetime, limit: int) -> Appointment:
    """Book ``slot`` for ``patient`` in the current transaction (the caller commits).

    :class:`SlotInPast` if its time has come, :class:`SlotUnavailable` if it is taken or
    withdrawn, :class:`BookingLimitReached` if the patient already has ``limit`` upcoming
    appointments in the slot's organization."""
    if slot.starts_at <= now:
        zone = ZoneInfo(slot.schedule.doctor.organization.timezone)
        raise SlotInPast(f"the slot started at {slot.starts_at.astimezone(zone):%Y-%m-%d %H:%M %z}")
    slot_id, organization_id = slot.id, slot.schedule.doctor.organization_id
    result = db.session.execute(
        update(Slot).where(Slot.id == slot_id, Slot.status == SLOT_FREE).values(status=SLOT_BOOKED)
    )
    if getattr(result, "rowcount", 0) != 1:
        db.session.rollback()
        raise SlotUnavailable("someone else has just booked this time")
    if upcoming_count(patient.id, organization_id, now=now, lock=True) >= limit:
        db.session.rollback()
        raise BookingLimitReached(limit)
    appointment = Appointment(
        slot_id=slot_id, patient_id=patient.id, status=BOOKED, booked_by_sub=by_sub, created_at=now, updated_at=now
    )
    db.session.add(appointment)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise SlotUnavailable("someone else has just booked this time") from None
    return appointment


def upcoming_count(patient_id: int, organization_id: int, *, now: datetime, lock: bool = False) -> int:
    """How many booked appointments ``patient_id`` has after ``now`` in the organization;
    ``lock`` first locks the patient's row until the transaction ends (PostgreSQL)."""
    if lock:
        db.session.execute(select(Patient.id).where(Patient.id == patient_id).with_for_update())
    stmt = (
        select(func.count(Appointment.id))
        .join(Slot, Appointment.slot_id == Slot.id)
        .join(Schedule, Slot.schedule_id == Schedule.id)
        .join(Doctor, Schedule.doctor_id == Doctor.id)
        .where(
            Appointment.patient_id == patient_id,
            Appointment.status == BOOKED,
            Slot.starts_at > now,
            Doctor.organization_id == organization_id,
        )
    )
    return int(db.session.scalar(stmt) or 0)


def cancel(appointment: Appointment, *, now: datetime) -> None:
    """Cancel a booked appointment and free its slot (the caller commits)."""
    _change_status(appointment, to=CANCELLED, now=now)
    db.session.execute(
        update(Slot).where(Slot.id == appointment.slot_id, Slot.status == SLOT_BOOKED).values(status=SLOT_FREE)
    )


def mark_attendance(appointment: Appointment, *, attended: bool, now: datetime) -> None:
    """Mark a booked appointment attended or missed, from the visit's day on (the caller commits)."""
    zone = ZoneInfo(appointment.slot.schedule.doctor.organization.timezone)
    if appointment.slot.starts_at.astimezone(zone).date() > now.astimezone(zone).date():
        raise AppointmentClosed("attendance can be marked from the day of the visit")
    _change_status(appointment, to=ATTENDED if attended else MISSED, now=now)


def _change_status(appointment: Appointment, *, to: str, now: datetime) -> None:
    appointment_id = appointment.id
    result = db.session.execute(
        update(Appointment)
        .where(Appointment.id == appointment_id, Appointment.status == BOOKED)
        .values(status=to, updated_at=now)
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
