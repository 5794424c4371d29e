"""The simulated issuer's test cards: each PAN's holder and what 3-D Secure does with it.

All numbers pass the Luhn check. Mir cards (BIN 2200-2204) are Russian; 4276 is a Russian
Visa BIN in this table; 4242 4242 4242 4242 is a foreign card. Outcomes:

- ``Y``        frictionless: authenticated without a challenge
- ``C-Y``      challenge (code 111111), then authenticated
- ``C-N``      challenge, then not authenticated whatever is entered
- ``A``        attempted (proof of an attempt only)
- ``U``        authentication could not be performed
- ``R``        rejected by the issuer
- ``timeout``  the ACS does not answer in time
"""

from __future__ import annotations

from dataclasses import dataclass

CHALLENGE_CODE = "111111"


@dataclass(frozen=True)
class TestCard:
    pan: str
    holder: str
    outcome: str
    bank: str
    note: str


CARDS = [
    TestCard("2200000000000012", "MARIIA IVANOVA", "Y", "Мир, ПАО «Тестбанк»", "frictionless success"),
    TestCard("2200000000000020", "MARIIA IVANOVA", "C-Y", "Мир, ПАО «Тестбанк»", "challenge, then success"),
    TestCard("2200000000000038", "MARIIA IVANOVA", "C-N", "Мир, ПАО «Тестбанк»", "challenge, then failure"),
    TestCard("2200000000000046", "MARIIA IVANOVA", "A", "Мир, ПАО «Тестбанк»", "attempted (A)"),
    TestCard("2200000000000053", "MARIIA IVANOVA", "U", "Мир, ПАО «Тестбанк»", "unavailable (U)"),
    TestCard("2200000000000061", "MARIIA IVANOVA", "R", "Мир, ПАО «Тестбанк»", "rejected (R)"),
    TestCard("2200000000000079", "MARIIA IVANOVA", "timeout", "Мир, ПАО «Тестбанк»", "the ACS times out"),
    TestCard("2201000000000011", "IRINA SOKOLOVA-BELOVA", "Y", "Мир, АО «Северный тестбанк»", "frictionless"),
    TestCard("2202000000000010", "ALEKSEI PETROV", "C-Y", "Мир, ПАО «Тестбанк»", "challenge, then success"),
    TestCard("2203000000000019", "ARTEM NOVIKOV", "Y", "Мир, ПАО «Тестбанк»", "frictionless"),
    TestCard("2204000000000018", "IVAN SIDOROV", "Y", "Мир, ПАО «Тестбанк»", "success, but another holder"),
    TestCard("4276000000000017", "DMITRII SMIRNOV", "Y", "Visa, Russian bank (BIN 4276)", "frictionless"),
    TestCard("4242424242424242", "JOHN SMITH", "Y", "Visa, foreign bank", "not a Russian bank"),
]
BY_PAN = {card.pan: card for card in CARDS}
