"""The JSON shapes of schedules, slots and appointments. Times are in the organization's own
time zone, with their UTC offset. A schedule lists only its upcoming slots: a slot whose time
has come is never offered."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from relying_party_demo.appointments.models import Appointment, Schedule, Slot
from relying_party_demo.medical.models import Doctor


def local(moment: datetime, doctor: Doctor) -> datetime:
    return moment.astimezone(ZoneInfo(doctor.organization.timezone))


def slot_json(slot: Slot, doctor: Doctor) -> dict[str, Any]:
    return {
        "id": slot.id,
        "starts_at": local(slot.starts_at, doctor).isoformat(),
        "ends_at": local(slot.ends_at, doctor).isoformat(),
        "status": slot.status,
    }


def schedule_json(schedule: Schedule, *, now: datetime) -> dict[str, Any]:
    doctor = schedule.doctor
    return {
        "id": schedule.id,
        "day": schedule.day.isoformat(),
        "start": schedule.starts.strftime("%H:%M"),
        "end": schedule.ends.strftime("%H:%M"),
        "slot_minutes": schedule.slot_minutes,
        "doctor": {"id": doctor.id, "name": doctor.full_name, "specialty": doctor.specialty},
        "organization": {"oid": doctor.organization.oid, "name": doctor.organization.name},
        "slots": [slot_json(s, doctor) for s in schedule.slots if s.starts_at > now],
    }


def appointment_json(appointment: Appointment) -> dict[str, Any]:
    slot = appointment.slot
    doctor = slot.schedule.doctor
    return {
        "id": appointment.id,
        "status": appointment.status,
        "starts_at": local(slot.starts_at, doctor).isoformat(),
        "ends_at": local(slot.ends_at, doctor).isoformat(),
        "slot_id": slot.id,
        "doctor": {"id": doctor.id, "name": doctor.full_name, "specialty": doctor.specialty},
        "organization": {"oid": doctor.organization.oid, "name": doctor.organization.name},
        "patient": {"card_id": appointment.patient.id, "name": appointment.patient.full_name},
        "updated_at": appointment.updated_at.isoformat(),
    }


def notice_params(appointment: Appointment) -> dict[str, str]:
    """What an inbox message about the appointment says: who, when, where."""
    slot = appointment.slot
    doctor = slot.schedule.doctor
    return {
        "doctor": f"{doctor.full_name} ({doctor.specialty})",
        "when": local(slot.starts_at, doctor).strftime("%d.%m.%Y %H:%M"),
        "place": doctor.organization.name,
    }
