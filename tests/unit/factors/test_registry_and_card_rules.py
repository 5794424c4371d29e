"""Deterministic outcomes of the simulated registry; Luhn, BINs and holder names of the card check."""

from __future__ import annotations

import pytest

from idp.accounts.models import Person
from idp.factors.card import holder_matches, luhn_valid, russian_bank
from simulators.registry import decide

GOOD = {"snils": "15821463061", "surname": "Иванова", "name": "Мария", "birth_date": "1985-03-14",
        "passport_series": "4505", "passport_number": "318264"}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "result"),
    [({}, "valid"), ({"passport_number": "318200"}, "passport_not_found"),
     ({"passport_number": "318299"}, "passport_invalid"), ({"snils": "15821463961"}, "snils_mismatch"),
     ({"snils": ""}, "incomplete")],
)  # fmt: skip
def test_registry_outcomes(change: dict[str, str], result: str) -> None:
    assert decide({**GOOD, **change}) == result


@pytest.mark.parametrize(
    ("pan", "valid"),
    [("2200000000000012", True), ("4242424242424242", True), ("4242424242424241", False), ("22000", False),
     ("22000000000000a2", False), ("5555555555554444", True)],
)  # fmt: skip
def test_luhn(pan: str, valid: bool) -> None:
    assert luhn_valid(pan) is valid


def test_russian_banks() -> None:
    assert all(russian_bank(f"{bin_}000000000000") for bin_ in ("2200", "2201", "2202", "2203", "2204"))
    assert russian_bank("4276000000000017") and not russian_bank("4242424242424242")
    assert not russian_bank("2205000000000000")


def test_holder_names_are_matched_in_latin_letters() -> None:
    maria = Person(surname="Иванова", name="Мария")
    assert holder_matches("MARIIA IVANOVA", maria) and not holder_matches("IVAN IVANOV", maria)
    irina = Person(surname="Соколова-Белова", name="Ирина")
    assert holder_matches("IRINA SOKOLOVA-BELOVA", irina) and not holder_matches("IRINA SOKOLOVA", irina)
    assert holder_matches("ARTEM NOVIKOV", Person(surname="Новиков", name="Артём"))
