"""The personas' enrolled factors in config/personas.toml are usable test data."""

from __future__ import annotations

import base64
import tomllib
from pathlib import Path

import pytest

from idp.factors.card import luhn_valid, russian_bank
from simulators.acs.cards import BY_PAN

PERSONAS = tomllib.loads((Path(__file__).resolve().parents[3] / "config" / "personas.toml").read_text())["person"]
WITH_FACTORS = [p for p in PERSONAS if p.get("factors")]


def test_some_personas_have_factors() -> None:
    assert {p["key"] for p in WITH_FACTORS} >= {"patient_moscow", "doctor_moscow"}


@pytest.mark.parametrize("person", WITH_FACTORS, ids=lambda p: str(p["key"]))
def test_factor_data_is_valid(person: dict) -> None:
    factors = person["factors"]
    assert set(factors) <= {"totp_secret", "app", "cards"}
    if "totp_secret" in factors:
        assert len(base64.b32decode(factors["totp_secret"])) >= 20  # 160 bits
    for pan in factors.get("cards", []):
        assert luhn_valid(pan) and russian_bank(pan)
        card = BY_PAN[pan]  # a card the simulated bank knows ...
        assert card.outcome in {"Y", "C-Y"}  # ... and that can succeed
