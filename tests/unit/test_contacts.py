"""Mobile phone and e-mail validation."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from idp.accounts import contacts
from idp.accounts.validation import FieldError, ValidationError


def error_of(validator: Callable[[str], str], value: str) -> FieldError:
    with pytest.raises(ValidationError) as exc:
        validator(value)
    assert len(exc.value.errors) == 1
    return exc.value.errors[0]


@pytest.mark.parametrize(
    "typed", ["+7 916 123-45-67", "8 (916) 123-45-67", "89161234567", "9161234567", "+79161234567"]
)
def test_russian_mobile_numbers_are_stored_in_e164(typed: str) -> None:
    assert contacts.validate_mobile_phone(typed) == "+79161234567"


def test_foreign_mobile_numbers_with_country_code_are_accepted() -> None:
    assert contacts.validate_mobile_phone("+49 151 23456789") == "+4915123456789"


@pytest.mark.parametrize("typed", ["+7 495 123-45-67", "8 800 000-05-05"])
def test_landline_and_toll_free_numbers_cannot_receive_sms(typed: str) -> None:
    assert error_of(contacts.validate_mobile_phone, typed) == FieldError("phone", contacts.PHONE_NOT_MOBILE)


@pytest.mark.parametrize("typed", ["phone", "+7 916 123", "+7 916 123-45-67-89", "+999 123456789"])
def test_things_that_are_not_phone_numbers_ask_for_a_mobile_number(typed: str) -> None:
    assert error_of(contacts.validate_mobile_phone, typed) == FieldError("phone", contacts.PHONE_FORMAT)


def test_empty_phone_is_required() -> None:
    assert error_of(contacts.validate_mobile_phone, " ") == FieldError("phone", contacts.PHONE_REQUIRED)


def test_email_domain_is_lower_cased_and_spaces_trimmed() -> None:
    assert contacts.validate_email("  Maria.Ivanova@Example.RU ") == "Maria.Ivanova@example.ru"


def test_internationalized_email_is_accepted() -> None:
    assert contacts.validate_email("ivan@пример.рф") == "ivan@пример.рф"


@pytest.mark.parametrize("typed", ["maria", "maria@example", "maria@@example.ru", "maria ivanova@example.ru", "@x.ru"])
def test_invalid_email_asks_for_an_address(typed: str) -> None:
    assert error_of(contacts.validate_email, typed) == FieldError("email", contacts.EMAIL_FORMAT)


def test_empty_email_is_required() -> None:
    assert error_of(contacts.validate_email, "") == FieldError("email", contacts.EMAIL_REQUIRED)


def test_messages_name_the_field_and_show_an_example() -> None:
    assert contacts.PHONE_FORMAT.startswith("Phone: ")
    assert "+7 912 345-67-89" in contacts.PHONE_FORMAT
    assert contacts.EMAIL_FORMAT.startswith("E-mail: ")
    assert "name@example.ru" in contacts.EMAIL_FORMAT
