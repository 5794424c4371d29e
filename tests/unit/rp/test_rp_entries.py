"""Validation of a new medical card entry: every error names the offending field."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from relying_party_demo.errors import InvalidField
from relying_party_demo.medical.entries import EntryInput, parse_entry


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"kind": "visit", "text": "Осмотр"}, EntryInput("visit", None, "Осмотр")),
        ({"kind": "visit", "icd10": None, "text": " x "}, EntryInput("visit", None, "x")),
        (
            {"kind": "diagnosis", "icd10": "j06.9", "text": "ОРВИ", "occurred_on": "2026-10-02"},
            EntryInput("diagnosis", "J06.9", "ОРВИ", date(2026, 10, 2)),
        ),
        ({"kind": "note", "icd10": "I10", "text": "n"}, EntryInput("note", "I10", "n")),
        (
            {"kind": "test_result", "text": "ОАК", "details": {"test": "Hb", "value": "128", "unit": " г/л "}},
            EntryInput("test_result", None, "ОАК", details={"test": "Hb", "value": "128", "unit": "г/л"}),
        ),
        (
            {"kind": "prescription", "text": "t", "details": {"drug": "Метформин", "dosage": "1 раз в день"}},
            EntryInput("prescription", None, "t", details={"drug": "Метформин", "dosage": "1 раз в день"}),
        ),
        ({"kind": "procedure", "text": "ЭКГ", "details": {}}, EntryInput("procedure", None, "ЭКГ")),
    ],
)
def test_valid_entries(body: dict[str, Any], expected: EntryInput) -> None:
    assert parse_entry(body) == expected


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "body"),
        ("text", "body"),
        (None, "body"),
        ({"text": "x"}, "kind"),
        ({"kind": "surgery", "text": "x"}, "kind"),
        ({"kind": 1, "text": "x"}, "kind"),
        ({"kind": "diagnosis", "text": "x"}, "icd10"),
        ({"kind": "visit", "icd10": "J6", "text": "x"}, "icd10"),
        ({"kind": "visit", "icd10": 106, "text": "x"}, "icd10"),
        ({"kind": "visit"}, "text"),
        ({"kind": "visit", "text": "   "}, "text"),
        ({"kind": "visit", "text": 5}, "text"),
        ({"kind": "visit", "text": "x" * 2001}, "text"),
        ({"kind": "visit", "text": "x", "author_sub": "1"}, "author_sub"),
        ({"kind": "visit", "text": "x", "occurred_on": "02.10.2026"}, "occurred_on"),
        ({"kind": "visit", "text": "x", "occurred_on": 20261002}, "occurred_on"),
        ({"kind": "visit", "text": "x", "details": {"drug": "a"}}, "details.drug"),
        ({"kind": "test_result", "text": "x", "details": {"test": "Hb"}}, "details.value"),
        ({"kind": "test_result", "text": "x", "details": "Hb 128"}, "details"),
        ({"kind": "prescription", "text": "x", "details": {"drug": "a", "dosage": 2}}, "details.dosage"),
    ],
)
def test_invalid_entries_name_the_field(body: object, field: str) -> None:
    with pytest.raises(InvalidField) as caught:
        parse_entry(body)
    assert caught.value.field == field
    assert caught.value.json_body()["field"] == field
    assert caught.value.detail.startswith(f"{field}: ")
