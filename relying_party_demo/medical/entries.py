"""Validation of a new card entry; every error names the offending field."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from relying_party_demo.errors import InvalidField

ENTRY_KINDS = ("visit", "diagnosis", "test_result", "procedure", "prescription", "note")
ENTRY_FIELDS = ("kind", "icd10", "text", "occurred_on", "details")
# Structured fields per kind: (required, optional).
DETAIL_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "test_result": (("test", "value"), ("unit", "reference")),
    "prescription": (("drug", "dosage"), ()),
    "procedure": ((), ("procedure",)),
}
ICD10_PATTERN = re.compile(r"[A-Z][0-9]{2}(\.[0-9]{1,2})?")
MAX_TEXT_LENGTH = 2000
MAX_DETAIL_LENGTH = 300


@dataclass(frozen=True)
class EntryInput:
    kind: str
    icd10: str | None
    text: str
    occurred_on: date | None = None
    details: dict[str, str] = field(default_factory=dict)


def parse_entry(data: object) -> EntryInput:
    """Validate a new entry; :class:`InvalidField` names the first bad field."""
    if not isinstance(data, dict):
        raise InvalidField("body", "expected a JSON object with kind, text and the kind's fields")
    for name in data:
        if name not in ENTRY_FIELDS:
            raise InvalidField(str(name), f"unknown field; allowed are {', '.join(ENTRY_FIELDS)}")
    kind = data.get("kind")
    if kind not in ENTRY_KINDS:
        raise InvalidField("kind", f"must be one of {', '.join(ENTRY_KINDS)}")
    return EntryInput(
        kind=kind,
        icd10=_parse_icd10(data.get("icd10"), kind),
        text=_parse_text(data.get("text")),
        occurred_on=_parse_date(data.get("occurred_on")),
        details=_parse_details(data.get("details"), kind),
    )


def _parse_icd10(value: Any, kind: str) -> str | None:
    if value in (None, ""):
        if kind == "diagnosis":
            raise InvalidField("icd10", "a diagnosis needs an ICD-10 code such as J06.9")
        return None
    if not isinstance(value, str) or not ICD10_PATTERN.fullmatch(value.strip().upper()):
        raise InvalidField("icd10", "must be an ICD-10 code such as J06.9")
    return value.strip().upper()


def _parse_text(text: Any) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidField("text", "must be a non-empty string")
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidField("text", f"must be at most {MAX_TEXT_LENGTH} characters")
    return text.strip()


def _parse_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidField("occurred_on", "must be a date written as YYYY-MM-DD")


def _parse_details(value: Any, kind: str) -> dict[str, str]:
    required, optional = DETAIL_FIELDS.get(kind, ((), ()))
    details = {} if value is None else value
    if not isinstance(details, dict):
        raise InvalidField("details", "must be an object")
    for name, text in details.items():
        if name not in (*required, *optional):
            allowed = ", ".join((*required, *optional)) or "none"
            raise InvalidField(f"details.{name}", f"unknown for a {kind}; allowed: {allowed}")
        if not isinstance(text, str) or len(text) > MAX_DETAIL_LENGTH:
            raise InvalidField(f"details.{name}", f"must be a string of at most {MAX_DETAIL_LENGTH} characters")
    for name in required:
        if not str(details.get(name, "")).strip():
            raise InvalidField(f"details.{name}", f"a {kind} needs it")
    return {k: v.strip() for k, v in details.items() if v.strip()}
