"""A registrar's work: a doctor's schedule for a day, cut into slots; withdrawing a free slot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from relying_party_demo.appointments.models import SLOT_FREE, Schedule, Slot
from relying_party_demo.errors import InvalidField, ScheduleConflict, SlotUnavailable
from relying_party_demo.ids import is_record_id
from relying_party_demo.medical.models import Doctor, Organization
from relying_party_demo.models import db

SLOT_CLOSED = "closed"
SCHEDULE_FIELDS = ("doctor_id", "day", "start", "end", "slot_minutes")
MIN_SLOT, MAX_SLOT = 5, 120


@dataclass(frozen=True)
class ScheduleInput:
    doctor_id: int
    day: date
    starts: time
    ends: time
    slot_minutes: int


def parse_schedule(data: object) -> ScheduleInput:
    """Validate a new schedule; :class:`InvalidField` names the first bad field."""
    if not isinstance(data, dict):
        raise InvalidField("body", f"expected a JSON object with {', '.join(SCHEDULE_FIELDS)}")
    for name in data:
        if name not in SCHEDULE_FIELDS:
            raise InvalidField(str(name), f"unknown field; allowed are {', '.join(SCHEDULE_FIELDS)}")
    doctor_id, minutes = data.get("doctor_id"), data.get("slot_minutes", 30)
    if not is_record_id(doctor_id):
        raise InvalidField("doctor_id", "must be the doctor's id (an integer)")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not MIN_SLOT <= minutes <= MAX_SLOT:
        raise InvalidField("slot_minutes", f"must be an integer from {MIN_SLOT} to {MAX_SLOT}")
    starts, ends = _time(data, "start"), _time(data, "end")
    if ends <= starts:
        raise InvalidField("end", "must be later than start")
    return ScheduleInput(doctor_id, _day(data), starts, ends, minutes)


def _day(data: dict[str, Any]) -> date:
    try:
        return date.fromisoformat(str(data.get("day")))
    except ValueError:
        raise InvalidField("day", "must be a date written as YYYY-MM-DD") from None


def _time(data: dict[str, Any], name: str) -> time:
    try:
        return time.fromisoformat(str(data.get(name)))
    except ValueError:
        raise InvalidField(name, "must be a time written as HH:MM") from None


def create_schedule(doctor: Doctor, spec: ScheduleInput, *, created_by_sub: str, now: datetime) -> Schedule:
    """Add the schedule and its slots to the current transaction (the caller commits).

    Times are the organization's local time. Raises :class:`ScheduleConflict` for a day in the
    past or one overlapping another schedule of the doctor that day.
    """
    zone = ZoneInfo(doctor.organization.timezone)
    if spec.day < now.astimezone(zone).date():
        raise ScheduleConflict(f"{spec.day.isoformat()} is in the past")
    for other in db.session.scalars(select(Schedule).where(Schedule.doctor_id == doctor.id, Schedule.day == spec.day)):
        if spec.starts < other.ends and other.starts < spec.ends:
            raise ScheduleConflict(f"overlaps the schedule {other.starts:%H:%M}–{other.ends:%H:%M} of that day")
    schedule = Schedule(
        doctor_id=doctor.id,
        day=spec.day,
        starts=spec.starts,
        ends=spec.ends,
        slot_minutes=spec.slot_minutes,
        created_by_sub=created_by_sub,
        created_at=now,
    )
    schedule.slots = [Slot(starts_at=a, ends_at=b, status=SLOT_FREE) for a, b in _slot_times(spec, zone)]
    db.session.add(schedule)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ScheduleConflict("the doctor already has a schedule starting then") from None
    return schedule


def _slot_times(spec: ScheduleInput, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    step = timedelta(minutes=spec.slot_minutes)
    start = datetime.combine(spec.day, spec.starts, tzinfo=zone)
    end = datetime.combine(spec.day, spec.ends, tzinfo=zone)
    times = []
    while start + step <= end:
        times.append((start.astimezone(UTC), (start + step).astimezone(UTC)))
        start += step
    return times


def withdraw_slot(slot_id: int) -> None:
    """Close a free slot so nobody can book it; a booked slot is refused (cancel first)."""
    result = db.session.execute(
        update(Slot).where(Slot.id == slot_id, Slot.status == SLOT_FREE).values(status=SLOT_CLOSED)
    )
    if getattr(result, "rowcount", 0) != 1:
        db.session.rollback()
        raise SlotUnavailable("only a free slot can be withdrawn")


def schedules(
    *, organization_oid: str | None, doctor_id: int | None, from_day: date, days: int, now: datetime
) -> list[Schedule]:
    """The schedule days from ``from_day`` on that still have a slot starting after ``now``."""
    upcoming = select(Slot.id).where(Slot.schedule_id == Schedule.id, Slot.starts_at > now).exists()
    stmt = (
        select(Schedule)
        .join(Doctor, Schedule.doctor_id == Doctor.id)
        .join(Organization, Doctor.organization_id == Organization.id)
        .where(Schedule.day >= from_day, Schedule.day < from_day + timedelta(days=days), upcoming)
        .order_by(Schedule.day, Schedule.starts, Doctor.family_name)
    )
    if organization_oid:
        stmt = stmt.where(Organization.oid == organization_oid)
    if doctor_id is not None:
        stmt = stmt.where(Schedule.doctor_id == doctor_id)
    return list(db.session.scalars(stmt))


def slot_by_id(slot_id: int) -> Slot | None:
    return db.session.get(Slot, slot_id)
