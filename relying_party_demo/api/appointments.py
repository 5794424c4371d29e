"""``/api/schedules``, ``/api/slots`` and ``/api/appointments``."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, jsonify, request, url_for

from relying_party_demo.api.common import api_caller, int_arg, json_body
from relying_party_demo.errors import InvalidField
from relying_party_demo.operations import appointments

bp = Blueprint("api_appointments", __name__, url_prefix="/api")


@bp.get("/schedules")
def schedules() -> Response:
    caller = api_caller()
    days = int_arg("days")
    found = appointments.list_schedules(
        caller,
        organization_oid=request.args.get("organization") or None,
        doctor_id=int_arg("doctor"),
        from_day=_day_arg("from"),
        days=7 if days is None else days,
    )
    return jsonify(found)


def _day_arg(name: str) -> date | None:
    value = request.args.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidField(name, "must be a date written as YYYY-MM-DD") from None


@bp.post("/schedules")
def create_schedule() -> tuple[Response, int]:
    caller = api_caller()
    return jsonify(appointments.create_schedule(caller, json_body())), 201


@bp.delete("/slots/<int:slot_id>")
def withdraw_slot(slot_id: int) -> Response:
    return jsonify(appointments.withdraw_slot(api_caller(), slot_id))


@bp.post("/slots/<int:slot_id>/appointment")
def book(slot_id: int) -> tuple[Response, int, dict[str, str]]:
    created = appointments.book(api_caller(), slot_id)
    location = url_for("api_appointments.read_appointment", appointment_id=created["id"])
    return jsonify(created), 201, {"Location": location}


@bp.get("/appointments")
def my_appointments() -> Response:
    return jsonify(appointments.my_appointments(api_caller()))


@bp.get("/appointments/<int:appointment_id>")
def read_appointment(appointment_id: int) -> Response:
    return jsonify(appointments.read_appointment(api_caller(), appointment_id))


@bp.post("/appointments/<int:appointment_id>/cancellation")
def cancel(appointment_id: int) -> Response:
    return jsonify(appointments.cancel(api_caller(), appointment_id))


@bp.post("/appointments/<int:appointment_id>/attendance")
def attendance(appointment_id: int) -> Response:
    caller = api_caller()
    return jsonify(appointments.mark_attendance(caller, appointment_id, json_body()))
