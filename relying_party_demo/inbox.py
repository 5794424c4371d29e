"""The person's inbox: appointment status changes, new test results and upcoming visits.

Notifications are stored as a kind and parameters and worded when read, in the reader's
language. Reminders of upcoming visits are made when the inbox is read, once per appointment
(``dedupe_key``), for booked visits closer than the configured number of hours.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from relying_party_demo.appointments.models import BOOKED, Appointment, Slot
from relying_party_demo.medical.models import Patient
from relying_party_demo.models import Notification, db

KINDS: dict[str, LazyString] = {
    "appointment_booked": _l("Appointment booked: %(doctor)s, %(when)s."),
    "appointment_cancelled": _l("Appointment cancelled: %(doctor)s, %(when)s."),
    "appointment_attended": _l("Visit took place: %(doctor)s, %(when)s."),
    "appointment_missed": _l("Visit marked as missed: %(doctor)s, %(when)s."),
    "test_result": _l("New test result in your card: %(test)s."),
    "upcoming_visit": _l("Upcoming visit: %(doctor)s, %(when)s, %(place)s."),
}


def notify(snils: str, kind: str, params: dict[str, Any], *, dedupe_key: str | None = None) -> None:
    """Add a notification to the current transaction; the caller commits."""
    assert kind in KINDS, kind
    db.session.add(Notification(recipient_snils=snils, kind=kind, params=params, dedupe_key=dedupe_key))


def remind_upcoming(snils: str, *, now: datetime, hours: int, describe: Any) -> None:
    """Add once-only reminders for ``snils``'s booked visits starting within ``hours``.

    ``describe(appointment)`` gives the notification parameters (doctor, time, place).
    """
    soon = list(
        db.session.scalars(
            select(Appointment)
            .join(Slot, Appointment.slot_id == Slot.id)
            .join(Patient, Appointment.patient_id == Patient.id)
            .where(
                Patient.snils == snils,
                Appointment.status == BOOKED,
                Slot.starts_at > now,
                Slot.starts_at <= now + timedelta(hours=hours),
            )
        )
    )
    for appointment in soon:
        key = f"upcoming:{appointment.id}"
        if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == key)) is not None:
            continue
        notify(snils, "upcoming_visit", describe(appointment), dedupe_key=key)
        try:
            db.session.commit()
        except IntegrityError:  # another request made the same reminder
            db.session.rollback()


def messages_for(snils: str) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.recipient_snils == snils)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
        )
    )


def notification_json(row: Notification) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "text": str(KINDS[row.kind]) % row.params,
        "params": row.params,
        "created_at": row.created_at.isoformat(),
    }
