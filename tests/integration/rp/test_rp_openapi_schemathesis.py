"""schemathesis against the RP's own OpenAPI document (``/api/openapi.json``), in-process through
its WSGI app: every documented operation, called as a patient, a doctor and a registrar with
bounded, reproducible examples (``tests/support/malformed_input.BOUNDED``), valid ones and ones
the document forbids, answers without a server error, with a documented status code and content
type, and with a body its documented schema accepts. The document is the contract: a body it
does not describe is a bug of the document or of the API."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import given, settings
from hypothesis.errors import FailedHealthCheck, Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.malformed_input import BOUNDED
from tests.support.rp import CU, RS, TokenFactory

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# About 20 operations x 2 modes x 3 callers: a few seconds per caller.
EACH = settings(BOUNDED, max_examples=max(BOUNDED.max_examples // 8, 1))
HUGE_ID = "999999999999999999999999"


def _schema(app: Flask) -> Any:
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


def _bearer(token_for: TokenFactory, persona: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(persona, f'{RS} {CU}')}"}


@pytest.mark.parametrize("persona", ["patient_moscow", "doctor_moscow", "registrar_moscow"])
def test_every_operation_keeps_to_the_document(app: Flask, token_for: TokenFactory, persona: str) -> None:
    headers = _bearer(token_for, persona)
    operations = [result.ok() for result in _schema(app).get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @EACH
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case: Any) -> None:
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                call()
            except (FailedHealthCheck, Unsatisfiable):
                # Generation only, never an answer: a lone free-form string (``/organizations/{oid}``)
                # has no value the document forbids.
                if mode is GenerationMode.POSITIVE:
                    raise


def _get(schema: Any, path: str, **path_parameters: Any) -> Any:
    return schema[path]["GET"].Case(path_parameters=path_parameters)


def _card_ids(schema: Any, token_for: TokenFactory) -> list[int]:
    """The cards of the doctor's organization (the doctor may read them)."""
    patients = _get(schema, "/api/patients").call_and_validate(
        headers=_bearer(token_for, "doctor_moscow"), checks=CHECKS
    )
    assert patients.status_code == 200, patients.text
    return [patient["card_id"] for patient in patients.json()["patients"]]


@pytest.mark.parametrize("persona", ["patient_moscow", "doctor_moscow", "registrar_moscow"])
def test_the_callers_own_records_keep_to_the_document(app: Flask, token_for: TokenFactory, persona: str) -> None:
    """Generated ids rarely hit a record: every card the directory's patients have, as each
    caller sees it (its own, a refusal or a 404), and the lists."""
    schema, headers = _schema(app), _bearer(token_for, persona)
    _get(schema, "/api/me").call_and_validate(headers=headers, checks=CHECKS)
    for card_id in _card_ids(schema, token_for)[:6]:
        card = _get(schema, "/api/cards/{card_id}", card_id=card_id).call_and_validate(headers=headers, checks=CHECKS)
        _get(schema, "/api/cards/{card_id}/changes", card_id=card_id).call_and_validate(headers=headers, checks=CHECKS)
        assert card.status_code in (200, 403, 404), card.text
    for path in ("/api/appointments", "/api/schedules", "/api/inbox", "/api/organizations"):
        _get(schema, path).call_and_validate(headers=headers, checks=CHECKS)


def test_the_document_allows_what_the_records_hold(app: Flask, token_for: TokenFactory) -> None:
    """The two disagreements schemathesis found: an entry without an ICD-10 code and a caller
    without a card (``card_id`` null) are both answered, and both are in the document."""
    schema, doctor = _schema(app), _bearer(token_for, "doctor_moscow")
    entries = []
    for card_id in _card_ids(schema, token_for):
        card = _get(schema, "/api/cards/{card_id}", card_id=card_id).call_and_validate(headers=doctor, checks=CHECKS)
        entries += card.json()["entries"]
    assert any(entry["icd10"] is None for entry in entries)
    registrar = _get(schema, "/api/me").call_and_validate(headers=_bearer(token_for, "registrar_moscow"), checks=CHECKS)
    assert registrar.json()["card_id"] is None


@pytest.mark.parametrize(
    "path", ["/api/cards/{card_id}", "/api/cards/{card_id}/changes", "/api/appointments/{appointment_id}"]
)
def test_an_id_beyond_any_column_is_the_documented_404(app: Flask, token_for: TokenFactory, path: str) -> None:
    schema = _schema(app)
    name = path.split("{", 1)[1].split("}", 1)[0]
    response = _get(schema, path, **{name: HUGE_ID}).call_and_validate(
        headers=_bearer(token_for, "doctor_moscow"), checks=CHECKS
    )
    assert response.status_code == 404 and response.json()["error"] == "not_found"
