"""Validation of a new medical card entry: every error names the offending field."""

from __future__ import annotations

from typing import Any

import pytest

from relying_party_demo.cards import EntryInput, parse_entry
from relying_party_demo.errors import InvalidField


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"kind": "visit", "text": "Осмотр"}, EntryInput("visit", None, "Осмотр")),
        ({"kind": "visit", "icd10": None, "text": " x "}, EntryInput("visit", None, "x")),
        (
            {"kind": "diagnosis", "icd10": "j06.9", "text": "ОРВИ"},
            EntryInput("diagnosis", "J06.9", "ОРВИ"),
        ),
        ({"kind": "note", "icd10": "I10", "text": "n"}, EntryInput("note", "I10", "n")),
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
    ],
)
def test_invalid_entries_name_the_field(body: object, field: str) -> None:
    with pytest.raises(InvalidField) as caught:
        parse_entry(body)
    assert caught.value.field == field
    assert caught.value.json_body()["field"] == field
    assert caught.value.detail.startswith(f"{field}: ")
