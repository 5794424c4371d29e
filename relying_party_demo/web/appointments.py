"""Appointments and schedules: book and cancel (patients), attendance (doctors), schedules
(registrars)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from relying_party_demo.access.policy import EDIT_SCOPE, Action, Target
from relying_party_demo.errors import (
    AppointmentClosed,
    BookingLimitReached,
    InvalidField,
    ScheduleConflict,
    SlotInPast,
    SlotUnavailable,
)
from relying_party_demo.guard import Caller, check
from relying_party_demo.ids import parse_id
from relying_party_demo.medical import records
from relying_party_demo.operations import appointments
from relying_party_demo.web.common import page_caller

bp = Blueprint("web_appointments", __name__)

RECOVERABLE = (InvalidField, SlotUnavailable, SlotInPast, BookingLimitReached, AppointmentClosed, ScheduleConflict)


@bp.get("/appointments")
def my_appointments() -> str:
    caller, _login = page_caller()
    return render_template(
        "appointments.html", is_doctor=caller.has_role("doctor"), **appointments.my_appointments(caller)
    )


@bp.get("/schedules")
def schedules() -> str:
    caller, _login = page_caller()
    organization = request.args.get("organization") or caller.token.organization_oid
    if organization is None and (patient := records.patient_by_snils(caller.snils)) is not None:
        organization = patient.organization.oid
    found = appointments.list_schedules(caller, organization_oid=organization, doctor_id=None, from_day=None, days=7)
    manage = check(caller, Action.MANAGE_SCHEDULE, Target(organization_oid=organization))
    doctors = records.doctors_of(organization) if manage.allowed and organization else []
    changes_schedules = caller.has_role("patient") or caller.has_role("registrar")
    return render_template(
        "schedules.html",
        organization=records.organization_by_oid(organization) if organization else None,
        can_book=check(caller, Action.BOOK_SLOT, _own_target(caller)).allowed,
        can_manage=manage.allowed,
        needs_edit_scope=changes_schedules and EDIT_SCOPE not in caller.subject.scopes,
        doctors=doctors,
        **found,
    )


def _own_target(caller: Caller) -> Target:
    patient = records.patient_by_snils(caller.snils)
    return Target(patient_snils=patient.snils if patient else None)


@bp.post("/slots/<int:slot_id>/book")
def book(slot_id: int) -> Response:
    caller, _login = page_caller()
    return _attempt(
        lambda: appointments.book(caller, slot_id), _("Appointment booked."), "web_appointments.my_appointments"
    )


@bp.post("/appointments/<int:appointment_id>/cancel")
def cancel(appointment_id: int) -> Response:
    caller, _login = page_caller()
    return _attempt(lambda: appointments.cancel(caller, appointment_id), _("Appointment cancelled."))


@bp.post("/appointments/<int:appointment_id>/attendance")
def attendance(appointment_id: int) -> Response:
    caller, _login = page_caller()
    attended = request.form.get("attended") == "yes"
    body = {"attended": attended}
    return _attempt(lambda: appointments.mark_attendance(caller, appointment_id, body), _("Attendance saved."))


@bp.post("/schedules")
def create_schedule() -> Response:
    caller, _login = page_caller()
    form = request.form
    body = {
        "doctor_id": parse_id(form.get("doctor_id", "")) or form.get("doctor_id"),
        "day": form.get("day", ""),
        "start": form.get("start", ""),
        "end": form.get("end", ""),
        "slot_minutes": parse_id(form.get("slot_minutes", "")) or 0,
    }
    return _attempt(
        lambda: appointments.create_schedule(caller, body), _("Schedule saved."), "web_appointments.schedules"
    )


@bp.post("/slots/<int:slot_id>/withdraw")
def withdraw(slot_id: int) -> Response:
    caller, _login = page_caller()
    return _attempt(
        lambda: appointments.withdraw_slot(caller, slot_id), _("Slot withdrawn."), "web_appointments.schedules"
    )


def _attempt(
    action: Callable[[], object], success: str, endpoint: str = "web_appointments.my_appointments"
) -> Response:
    """Run ``action``; problems the person can fix come back as a message on the page."""
    try:
        action()
    except RECOVERABLE as exc:
        flash(exc.notice(), "error")
    else:
        flash(success, "success")
    return redirect(url_for(endpoint), code=303)
