"""A doctor's schedule for a day, cut into slots; an appointment books one slot.

Double booking is impossible by construction: booking flips the slot from ``free`` to ``booked``
with a conditional UPDATE (only one concurrent request can match ``status = 'free'``), and a
partial unique index allows one live (not cancelled) appointment per slot.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Time, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from relying_party_demo.medical.models import Doctor, Patient
from relying_party_demo.models import Base, UtcDateTime, utcnow

SLOT_FREE = "free"
SLOT_BOOKED = "booked"
BOOKED, CANCELLED, ATTENDED, MISSED = "booked", "cancelled", "attended", "missed"
APPOINTMENT_STATUSES = (BOOKED, CANCELLED, ATTENDED, MISSED)


class Schedule(Base):
    __tablename__ = "rp_schedule"
    __table_args__ = (UniqueConstraint("doctor_id", "day", "starts", name="uq_rp_schedule_doctor_day_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("rp_doctor.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)
    slot_minutes: Mapped[int] = mapped_column(Integer)
    created_by_sub: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    doctor: Mapped[Doctor] = relationship()
    slots: Mapped[list[Slot]] = relationship(back_populates="schedule", order_by="Slot.starts_at")


class Slot(Base):
    __tablename__ = "rp_slot"
    __table_args__ = (UniqueConstraint("schedule_id", "starts_at", name="uq_rp_slot_schedule_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("rp_schedule.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(10), default=SLOT_FREE)
    schedule: Mapped[Schedule] = relationship(back_populates="slots")


class Appointment(Base):
    __tablename__ = "rp_appointment"
    __table_args__ = (
        Index(
            "uq_rp_appointment_live_slot",
            "slot_id",
            unique=True,
            sqlite_where=text("status <> 'cancelled'"),
            postgresql_where=text("status <> 'cancelled'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("rp_slot.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("rp_patient.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=BOOKED)
    booked_by_sub: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    slot: Mapped[Slot] = relationship()
    patient: Mapped[Patient] = relationship()
