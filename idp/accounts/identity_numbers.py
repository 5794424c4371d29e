"""Russian identity numbers: SNILS, INN, passport of a citizen, OMS policy.

Each validator accepts what people type (spaces and hyphens inside the number are fine), returns
the normalized digits, or raises `ValidationError` with a constant message (see `validation`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from idp.accounts.validation import (
    ErrorCollector,
    add_years,
    fail,
    parse_iso_date,
    strip_separators,
)
from idp.errors import N_

# --- SNILS ------------------------------------------------------------------------------------

SNILS_REQUIRED = N_("SNILS: this field is required; enter the 11 digits from your SNILS card")
SNILS_FORMAT = N_("SNILS: enter 11 digits, like 112-233-445 95; only digits, spaces and hyphens are allowed")
SNILS_CHECKSUM = N_(
    "SNILS: the check digits do not match; check the number on your SNILS card (11 digits, like 112-233-445 95)"
)

# Pension Fund rule: numbers up to 001-001-998 were issued before the check number was defined.
_SNILS_CHECKED_FROM = 1_001_999


def snils_check_number(first_nine: str) -> int:
    """The SNILS check number (0..99) for its first 9 digits, per the Pension Fund algorithm."""
    weights = range(9, 0, -1)
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, weights, strict=True))
    if total < 100:
        return total
    if total in (100, 101):
        return 0
    remainder = total % 101
    return 0 if remainder == 100 else remainder


def validate_snils(value: str) -> str:
    """11 digits with valid check digits ("112-233-445 95" -> "11223344595").

    Check digits are verified only above 001-001-998, as the Pension Fund rule says.
    """
    if not value.strip():
        raise fail("snils", SNILS_REQUIRED)
    digits = strip_separators(value)
    if not re.fullmatch(r"[0-9]{11}", digits):
        raise fail("snils", SNILS_FORMAT)
    if int(digits[:9]) >= _SNILS_CHECKED_FROM and int(digits[9:]) != snils_check_number(digits[:9]):
        raise fail("snils", SNILS_CHECKSUM)
    return digits


def format_snils(snils: str) -> str:
    """Display form "NNN-NNN-NNN CC" of a SNILS returned by `validate_snils`."""
    digits = strip_separators(snils)
    if not re.fullmatch(r"[0-9]{11}", digits):
        raise ValueError("format_snils expects the 11 digits returned by validate_snils")
    return f"{digits[0:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:11]}"


# --- INN --------------------------------------------------------------------------------------

INN_PERSON_FORMAT = N_("INN: enter the 12 digits of your personal taxpayer number; only digits are allowed")
INN_PERSON_CHECKSUM = N_(
    "INN: the check digits do not match; check the 12-digit number on your INN certificate "
    "or on the tax service website"
)
INN_ORG_FORMAT = N_(
    "Organization INN: enter the 10 digits of the organization's taxpayer number; only digits are allowed"
)
INN_ORG_CHECKSUM = N_(
    "Organization INN: the check digit does not match; check the number in the organization's registration documents"
)

_INN_ORG_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_PERSON_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_PERSON_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def inn_check_digit(digits: str, weights: tuple[int, ...]) -> int:
    """One INN check digit (Federal Tax Service rule): weighted sum of `digits` mod 11, mod 10."""
    total = sum(int(digit) * weight for digit, weight in zip(digits, weights, strict=True))
    return total % 11 % 10


def validate_person_inn(value: str) -> str:
    """A person's INN: 12 digits whose 11th and 12th digits are valid check digits."""
    digits = strip_separators(value)
    if not re.fullmatch(r"[0-9]{12}", digits):
        raise fail("inn", INN_PERSON_FORMAT)
    eleventh = inn_check_digit(digits[:10], _INN_PERSON_WEIGHTS_11)
    twelfth = inn_check_digit(digits[:11], _INN_PERSON_WEIGHTS_12)
    if (int(digits[10]), int(digits[11])) != (eleventh, twelfth):
        raise fail("inn", INN_PERSON_CHECKSUM)
    return digits


def validate_org_inn(value: str) -> str:
    """An organization's INN: 10 digits whose last digit is a valid check digit."""
    digits = strip_separators(value)
    if not re.fullmatch(r"[0-9]{10}", digits):
        raise fail("organization_inn", INN_ORG_FORMAT)
    if int(digits[9]) != inn_check_digit(digits[:9], _INN_ORG_WEIGHTS):
        raise fail("organization_inn", INN_ORG_CHECKSUM)
    return digits


# --- passport of a citizen of the Russian Federation ------------------------------------------

PASSPORT_FORMAT = N_("Passport: enter the series and number as 10 digits, like 45 10 123456")
PASSPORT_SERIES_FORMAT = N_("Passport series: enter the 4 digits printed before the number, like 45 10")
PASSPORT_NUMBER_FORMAT = N_("Passport number: enter the 6 digits printed after the series, like 123456")
PASSPORT_ISSUE_DATE_FORMAT = N_("Passport issue date: enter the date as YYYY-MM-DD, like 2015-06-30")
PASSPORT_ISSUE_DATE_IN_FUTURE = N_(
    "Passport issue date: the date is in the future; check the date on page 2 of your passport"
)
PASSPORT_ISSUE_DATE_TOO_EARLY = N_(
    "Passport issue date: a passport is issued at the age of 14 or later; check the issue date and your birth date"
)

PASSPORT_MINIMUM_AGE = 14


@dataclass(frozen=True)
class Passport:
    series: str  # 4 digits, no space
    number: str  # 6 digits
    issue_date: date


def split_passport(value: str) -> tuple[str, str]:
    """Series and number from one field as printed, e.g. "45 10 123456" -> ("4510", "123456")."""
    digits = strip_separators(value)
    if not re.fullmatch(r"[0-9]{10}", digits):
        raise fail("passport", PASSPORT_FORMAT)
    return digits[:4], digits[4:]


def validate_passport_series(value: str) -> str:
    """4 digits; "45 10" and "4510" both give "4510"."""
    digits = strip_separators(value)
    if not re.fullmatch(r"[0-9]{4}", digits):
        raise fail("passport_series", PASSPORT_SERIES_FORMAT)
    return digits


def validate_passport_number(value: str) -> str:
    """6 digits, leading zeros kept."""
    digits = strip_separators(value)
    if not re.fullmatch(r"[0-9]{6}", digits):
        raise fail("passport_number", PASSPORT_NUMBER_FORMAT)
    return digits


def validate_passport_issue_date(value: str | date, *, birth_date: date, today: date) -> date:
    """An issue date from the holder's 14th birthday up to `today`, both included."""
    issued = parse_iso_date(value, field="passport_issue_date", message=PASSPORT_ISSUE_DATE_FORMAT)
    if issued > today:
        raise fail("passport_issue_date", PASSPORT_ISSUE_DATE_IN_FUTURE)
    if issued < add_years(birth_date, PASSPORT_MINIMUM_AGE):
        raise fail("passport_issue_date", PASSPORT_ISSUE_DATE_TOO_EARLY)
    return issued


def validate_passport(*, series: str, number: str, issue_date: str | date, birth_date: date, today: date) -> Passport:
    """All passport fields at once; the `ValidationError` lists every field that is wrong."""
    errors = ErrorCollector()
    clean_series = errors.check(validate_passport_series, series)
    clean_number = errors.check(validate_passport_number, number)
    issued = errors.check(validate_passport_issue_date, issue_date, birth_date=birth_date, today=today)
    errors.raise_if_any()
    assert clean_series is not None and clean_number is not None and issued is not None
    return Passport(series=clean_series, number=clean_number, issue_date=issued)


# --- OMS policy -------------------------------------------------------------------------------

OMS_POLICY_FORMAT = N_("OMS policy: enter the 16 digits of the unified policy number, like 1234 5678 9012 3456")


def validate_oms_policy(value: str) -> str:
    """A unified OMS policy number (ENP): exactly 16 digits.

    Only the length and the digits are checked. The ENP has a control digit defined by the FFOMS
    (order No. 79 of 7 April 2011, "general principles" of OMS information systems), but its
    algorithm could not be confirmed from a primary source while writing this, so it is NOT
    verified here rather than guessed: a typo in one digit will be accepted.
    """
    digits = strip_separators(value)
    if not re.fullmatch(r"[0-9]{16}", digits):
        raise fail("oms_policy", OMS_POLICY_FORMAT)
    return digits
