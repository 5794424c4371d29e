"""Translatable names of the service's codes (entry kinds, statuses, roles, document types)."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

ENTRY_KINDS: dict[str, LazyString] = {
    "visit": _l("Visit"),
    "diagnosis": _l("Diagnosis"),
    "test_result": _l("Test result"),
    "procedure": _l("Procedure"),
    "prescription": _l("Prescription"),
    "note": _l("Note"),
}

APPOINTMENT_STATUSES: dict[str, LazyString] = {
    "booked": _l("Booked"),
    "cancelled": _l("Cancelled"),
    "attended": _l("Attended"),
    "missed": _l("Missed"),
}

SLOT_STATUSES: dict[str, LazyString] = {
    "free": _l("Free"),
    "booked": _l("Taken"),
    "closed": _l("Withdrawn"),
}

DOCUMENT_TYPES: dict[str, LazyString] = {
    "certificate": _l("Certificate"),
    "discharge_summary": _l("Discharge summary"),
    "referral": _l("Referral"),
}

ROLE_NAMES: dict[str, LazyString] = {
    "patient": _l("Patient"),
    "doctor": _l("Doctor"),
    "registrar": _l("Registrar"),
}

CHANGE_ACTIONS: dict[str, LazyString] = {
    "card_entry_added": _l("Entry added"),
    "appointment_booked": _l("Appointment booked"),
    "appointment_cancelled": _l("Appointment cancelled"),
    "appointment_attended": _l("Attendance marked"),
    "appointment_missed": _l("Marked as missed"),
}
