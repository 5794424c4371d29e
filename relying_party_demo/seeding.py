"""Demo data from ``config/egisz_seed.toml``: added when missing, never changed once there.

Organizations, doctors and patients are matched by their natural keys (OID, SNILS); a
patient's card content is added when the patient is. Schedules are templates relative to today
(by the ``now`` the caller passes: the RP's calendar clock) in the organization's time zone, so
running this again on a later day adds the coming days.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from gosid_config import SettingsError
from relying_party_demo.appointments.models import BOOKED, SLOT_BOOKED, Appointment, Schedule
from relying_party_demo.appointments.schedules import ScheduleInput, create_schedule
from relying_party_demo.medical.models import CardDocument, CardEntry, Doctor, Organization, Patient
from relying_party_demo.models import db

SEED_AUTHOR = "seed"


@dataclass
class SeedReport:
    organizations: int = 0
    doctors: int = 0
    patients: int = 0
    schedules: int = 0
    appointments: int = 0
    new_days: dict[tuple[str, date], Schedule] = field(default_factory=dict)


def seed(path: Path, *, now: datetime) -> SeedReport:
    """Add what is missing; returns how many of each were added."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read the demo data ({exc})") from exc
    report = SeedReport()
    try:
        organizations = {e["oid"]: _organization(e, report) for e in data.get("organization", [])}
        doctors = {e["snils"]: _doctor(e, organizations, report) for e in data.get("doctor", [])}
        for entry in data.get("patient", []):
            _patient(entry, organizations, doctors, report)
        for entry in data.get("schedule", []):
            _schedules(entry, doctors, report, now=now)
        for entry in data.get("appointment", []):
            _appointment(entry, report, now=now)
    except (KeyError, ValueError, TypeError) as exc:
        db.session.rollback()
        raise SettingsError(f"{path}: malformed demo data ({exc.__class__.__name__}: {exc})") from exc
    db.session.commit()
    return report


def _organization(entry: dict[str, Any], report: SeedReport) -> Organization:
    found = db.session.scalars(select(Organization).where(Organization.oid == entry["oid"])).one_or_none()
    if found is not None:
        return found
    org = Organization(
        oid=entry["oid"],
        code=entry["code"],
        name=entry["name"],
        name_folded=entry["name"].casefold(),
        region_code=entry["region"],
        address=entry["address"],
        timezone=str(ZoneInfo(entry["timezone"])),
    )
    db.session.add(org)
    report.organizations += 1
    return org


def _doctor(entry: dict[str, Any], organizations: dict[str, Organization], report: SeedReport) -> Doctor:
    found = db.session.scalars(select(Doctor).where(Doctor.snils == entry["snils"])).one_or_none()
    if found is not None:
        return found
    doctor = Doctor(
        snils=entry["snils"],
        family_name=entry["family_name"],
        given_name=entry["given_name"],
        middle_name=entry.get("middle_name"),
        specialty=entry["specialty"],
        organization=organizations[entry["organization"]],
    )
    db.session.add(doctor)
    report.doctors += 1
    return doctor


def _patient(
    entry: dict[str, Any], organizations: dict[str, Organization], doctors: dict[str, Doctor], report: SeedReport
) -> None:
    if db.session.scalars(select(Patient.id).where(Patient.snils == entry["snils"])).first() is not None:
        return
    patient = Patient(
        snils=entry["snils"],
        family_name=entry["family_name"],
        given_name=entry["given_name"],
        middle_name=entry.get("middle_name"),
        birth_date=date.fromisoformat(entry["birth_date"]),
        oms_policy=entry.get("oms_policy"),
        region_code=entry["region"],
        organization=organizations[entry["organization"]],
    )
    patient.entries = [_entry(e, doctors) for e in entry.get("entries", [])]
    patient.documents = [_document(d) for d in entry.get("documents", [])]
    db.session.add(patient)
    report.patients += 1


def _entry(entry: dict[str, Any], doctors: dict[str, Doctor]) -> CardEntry:
    return CardEntry(
        kind=entry["kind"],
        occurred_on=date.fromisoformat(entry["on"]),
        icd10=entry.get("icd10"),
        text=entry["text"],
        details=dict(entry.get("details", {})),
        doctor=doctors[entry["doctor"]] if "doctor" in entry else None,
        author_sub=SEED_AUTHOR,
    )


def _document(entry: dict[str, Any]) -> CardDocument:
    return CardDocument(
        doc_type=entry["type"],
        title=entry["title"],
        issued_on=date.fromisoformat(entry["issued_on"]),
        issuer=entry["issuer"],
    )


def _schedules(entry: dict[str, Any], doctors: dict[str, Doctor], report: SeedReport, *, now: datetime) -> None:
    doctor = doctors[entry["doctor"]]
    db.session.flush()  # the doctor needs its id
    today = now.astimezone(ZoneInfo(doctor.organization.timezone)).date()
    starts = time.fromisoformat(entry["start"])
    for offset in entry["days_ahead"]:
        day = today + timedelta(days=int(offset))
        exists = db.session.scalars(
            select(Schedule.id).where(Schedule.doctor_id == doctor.id, Schedule.day == day, Schedule.starts == starts)
        ).first()
        if exists is not None:
            continue
        spec = ScheduleInput(doctor.id, day, starts, time.fromisoformat(entry["end"]), int(entry["slot_minutes"]))
        report.new_days[(doctor.snils, day)] = create_schedule(doctor, spec, created_by_sub=SEED_AUTHOR, now=now)
        report.schedules += 1


def _appointment(entry: dict[str, Any], report: SeedReport, *, now: datetime) -> None:
    doctor = db.session.scalars(select(Doctor).where(Doctor.snils == entry["doctor"])).one()
    zone = ZoneInfo(doctor.organization.timezone)
    day = now.astimezone(zone).date() + timedelta(days=int(entry["days_ahead"]))
    schedule = report.new_days.get((doctor.snils, day))
    if schedule is None:  # made on an earlier run, with its appointments
        return
    at = datetime.combine(day, time.fromisoformat(entry["time"]), tzinfo=zone)
    slot = next(s for s in schedule.slots if s.starts_at == at)
    patient = db.session.scalars(select(Patient).where(Patient.snils == entry["patient"])).one()
    slot.status = SLOT_BOOKED
    db.session.add(
        Appointment(
            slot=slot, patient=patient, status=BOOKED, booked_by_sub=SEED_AUTHOR, created_at=now, updated_at=now
        )
    )
    report.appointments += 1
