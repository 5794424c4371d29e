"""Validation errors and the person's own fields: names, birth date, gender, region, address.

Every validator takes raw user input, returns the normalized value, or raises `ValidationError`
carrying one or more `FieldError`s. A `FieldError.message` is always one of the constant strings
defined in this package (never built from user input), so the web layer can use it directly as a
gettext msgid and show it next to the field named by `FieldError.field`.

Identity numbers (SNILS, INN, passport, OMS) live in `identity_numbers`, phone and e-mail in
`contacts`.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import ParamSpec, TypeVar

from idp.accounts.regions import RegionDirectory
from idp.errors import N_, GosidError

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class FieldError:
    """One problem with one form field: `field` is the form field name, `message` a msgid."""

    field: str
    message: str


class ValidationError(GosidError):
    """Raised by every validator; `errors` holds at least one `FieldError`.

    `FieldError` is deliberately a plain value and not itself the exception: a frozen dataclass
    exception cannot have its `__traceback__` reassigned, which `contextlib.contextmanager` does
    when an exception passes through a `with` block.
    """

    def __init__(self, *errors: FieldError) -> None:
        if not errors:
            raise ValueError("ValidationError needs at least one FieldError")
        self.errors: list[FieldError] = list(errors)
        super().__init__("; ".join(error.message for error in errors))


class ErrorCollector:
    """Runs several validators and reports all their errors at once, so a form shows every problem.

    `check()` returns the validator's result, or None if it failed; `raise_if_any()` then raises one
    `ValidationError` with every collected `FieldError`, in the order the checks ran.
    """

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def check(self, validator: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
        try:
            return validator(*args, **kwargs)
        except ValidationError as exc:
            self.errors.extend(exc.errors)
            return None

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(*self.errors)


def fail(field: str, message: str) -> ValidationError:
    """Build the exception for a single field problem: `raise fail("snils", SNILS_FORMAT)`."""
    return ValidationError(FieldError(field, message))


def strip_separators(value: str) -> str:
    """Remove the spaces and hyphens people type inside numbers ("112-233-445 95")."""
    return re.sub(r"[\s\-]", "", value)


def add_years(start: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a non-leap year.

    Russian law counts an age that way (Civil Code art. 192 p. 3: a term ending in a month without
    the matching day ends on that month's last day).
    """
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_iso_date(value: str | date, *, field: str, message: str) -> date:
    """Parse a strict YYYY-MM-DD string (as an HTML date input sends); dates pass through."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = value.strip()
    # date.fromisoformat alone would also accept "20240101" and week dates like "2024-W01-1".
    if not _ISO_DATE.fullmatch(text):
        raise fail(field, message)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(field, message) from None


# --- names ------------------------------------------------------------------------------------

NAME_MAX_LENGTH = 60

SURNAME_REQUIRED = N_("Surname: this field is required; enter your surname as in your passport")
SURNAME_TOO_LONG = N_("Surname: use at most 60 characters")
SURNAME_CHARACTERS = N_(
    "Surname: use only Russian or Latin letters; parts may be separated by one hyphen, "
    "apostrophe or space, as in your passport"
)
NAME_REQUIRED = N_("Name: this field is required; enter your name as in your passport")
NAME_TOO_LONG = N_("Name: use at most 60 characters")
NAME_CHARACTERS = N_(
    "Name: use only Russian or Latin letters; parts may be separated by one hyphen, "
    "apostrophe or space, as in your passport"
)
PATRONYMIC_TOO_LONG = N_("Patronymic: use at most 60 characters")
PATRONYMIC_CHARACTERS = N_(
    "Patronymic: use only Russian or Latin letters; parts may be separated by one hyphen, "
    "apostrophe or space, as in your passport; leave it empty if you have none"
)

# Parts of letters joined by exactly one separator: no leading, trailing or doubled "-", "'", " ".
_NAME = re.compile(r"[А-ЯЁа-яёA-Za-z]+(?:[-' ][А-ЯЁа-яёA-Za-z]+)*")


def _normalize_name(value: str) -> str:
    # NFC joins "и" + combining breve into "й"; typographic apostrophes become ASCII ones;
    # runs of whitespace collapse so "Анна  Мария" is stored the same as "Анна Мария".
    text = unicodedata.normalize("NFC", value).replace("\u2019", "'").replace("\u02bc", "'")
    return " ".join(text.split())


def _validate_name_part(value: str, *, field: str, too_long: str, characters: str) -> str:
    text = _normalize_name(value)
    if len(text) > NAME_MAX_LENGTH:
        raise fail(field, too_long)
    if not _NAME.fullmatch(text):
        raise fail(field, characters)
    return text


def validate_surname(value: str) -> str:
    """A surname, trimmed and with single spaces: 1-60 Russian/Latin letters, "-", "'" or " "."""
    if not value.strip():
        raise fail("surname", SURNAME_REQUIRED)
    return _validate_name_part(value, field="surname", too_long=SURNAME_TOO_LONG, characters=SURNAME_CHARACTERS)


def validate_given_name(value: str) -> str:
    """A given name, same rules as `validate_surname`; the form field is "name"."""
    if not value.strip():
        raise fail("name", NAME_REQUIRED)
    return _validate_name_part(value, field="name", too_long=NAME_TOO_LONG, characters=NAME_CHARACTERS)


def validate_patronymic(value: str | None) -> str | None:
    """A patronymic, same rules as `validate_surname`; empty input means "none" and gives None."""
    if value is None or not value.strip():
        return None
    return _validate_name_part(
        value, field="patronymic", too_long=PATRONYMIC_TOO_LONG, characters=PATRONYMIC_CHARACTERS
    )


# --- birth date, gender, region ---------------------------------------------------------------

MINIMUM_ACCOUNT_AGE = 14  # Gosuslugi accounts can be opened from the age of 14 (with a passport).
EARLIEST_BIRTH_DATE = date(1900, 1, 1)

BIRTH_DATE_REQUIRED = N_("Birth date: this field is required; enter your date of birth")
BIRTH_DATE_FORMAT = N_("Birth date: enter the date as YYYY-MM-DD, like 1985-03-14")
BIRTH_DATE_IN_FUTURE = N_("Birth date: the date is in the future; check the day, month and year")
BIRTH_DATE_TOO_YOUNG = N_("Birth date: a Gosuslugi account can be opened from the age of 14; check the year of birth")
BIRTH_DATE_TOO_EARLY = N_("Birth date: the date is before 1900; check the year of birth")
GENDER_INVALID = N_("Gender: choose M (male) or F (female)")
REGION_FORMAT = N_("Region: enter the two-digit region code, like 77 for Moscow or 05 for Dagestan")
REGION_UNKNOWN = N_("Region: there is no Russian region with this code; choose your region from the list")


def validate_birth_date(value: str | date, *, today: date) -> date:
    """A birth date between 1900-01-01 and the day the person turned 14, `today` included."""
    if isinstance(value, str) and not value.strip():
        raise fail("birth_date", BIRTH_DATE_REQUIRED)
    born = parse_iso_date(value, field="birth_date", message=BIRTH_DATE_FORMAT)
    if born > today:
        raise fail("birth_date", BIRTH_DATE_IN_FUTURE)
    if born < EARLIEST_BIRTH_DATE:
        raise fail("birth_date", BIRTH_DATE_TOO_EARLY)
    if add_years(born, MINIMUM_ACCOUNT_AGE) > today:
        raise fail("birth_date", BIRTH_DATE_TOO_YOUNG)
    return born


def validate_gender(value: str) -> str:
    """ "M" or "F" (case and surrounding spaces ignored), as ESIA's `gender` attribute uses."""
    normalized = value.strip().upper()
    if normalized not in {"M", "F"}:
        raise fail("gender", GENDER_INVALID)
    return normalized


def validate_region_code(value: str, *, regions: RegionDirectory) -> str:
    """A two-digit code of a subject of the Russian Federation listed in `regions`."""
    code = value.strip()
    if not re.fullmatch(r"[0-9]{2}", code):
        raise fail("region_code", REGION_FORMAT)
    if regions.find_region(code) is None:
        raise fail("region_code", REGION_UNKNOWN)
    return code


# --- address ----------------------------------------------------------------------------------

ADDRESS_MIN_LENGTH = 10
ADDRESS_MAX_LENGTH = 300

ADDRESS_REQUIRED = N_("Registration address: enter the address from your passport stamp")
ADDRESS_TOO_SHORT = N_("Registration address: include at least the city, street and house")
ADDRESS_TOO_LONG = N_("Registration address: use at most 300 characters")
ADDRESS_CHARACTERS = N_(
    "Registration address: remove special characters; use letters, digits and punctuation, "
    "like г. Москва, ул. Профсоюзная, д. 56, кв. 112"
)


def validate_address(value: str) -> str:
    """A one-line free-text address, trimmed and with single spaces, 10 to 300 characters.

    Only the shape is checked (no control or invisible characters); the address is not matched
    against the FIAS/GAR address register.
    """
    text = " ".join(unicodedata.normalize("NFC", value).split())
    if not text:
        raise fail("address", ADDRESS_REQUIRED)
    if len(text) < ADDRESS_MIN_LENGTH:
        raise fail("address", ADDRESS_TOO_SHORT)
    if len(text) > ADDRESS_MAX_LENGTH:
        raise fail("address", ADDRESS_TOO_LONG)
    # Category C: control, format (e.g. zero-width or bidi overrides), private-use, unassigned.
    if any(unicodedata.category(char).startswith("C") for char in text):
        raise fail("address", ADDRESS_CHARACTERS)
    return text


# --- OID --------------------------------------------------------------------------------------

OID_MIN = 1_000_000_000
OID_MAX = 1_999_999_999


def new_person_oid() -> int:
    """A random ESIA-style person OID, a 10-digit int in [OID_MIN, OID_MAX].

    Random (CSPRNG) rather than sequential so OIDs reveal neither the number of accounts nor the
    order they were created in. Callers must still check uniqueness when storing it.
    """
    return OID_MIN + secrets.randbelow(OID_MAX - OID_MIN + 1)
