"""SNILS, INN, passport, OMS policy, and the person's own fields (names, birth date, address...)."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from idp.accounts import identity_numbers as ids
from idp.accounts import validation as v
from idp.accounts.validation import FieldError, ValidationError

TODAY = date(2024, 6, 15)


def only_error(exc: pytest.ExceptionInfo[ValidationError]) -> FieldError:
    assert len(exc.value.errors) == 1
    return exc.value.errors[0]


# --- SNILS ------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["112-233-445 95", "11223344595", " 112 233 445-95 "])
def test_snils_is_normalized_to_eleven_digits(typed: str) -> None:
    # 112-233-445 95 is the worked example in the Pension Fund's description of the check number.
    assert ids.validate_snils(typed) == "11223344595"


def test_snils_is_displayed_in_the_card_format() -> None:
    assert ids.format_snils("11223344595") == "112-233-445 95"


@pytest.mark.parametrize(
    ("snils", "weighted_sum"),
    [
        ("10058205299", 99),  # below 100: the sum itself
        ("05023431600", 100),  # 100 and 101: 00
        ("01610339600", 101),
        ("70020162101", 102),  # above 101: sum mod 101
        ("13657120049", 150),
        ("82098123300", 201),  # mod 101 gives 100: 00
        ("91370285800", 202),  # mod 101 gives 0
    ],
)
def test_snils_check_number_branches(snils: str, weighted_sum: int) -> None:
    assert sum(int(d) * w for d, w in zip(snils[:9], range(9, 0, -1), strict=True)) == weighted_sum
    assert ids.validate_snils(snils) == snils


@pytest.mark.parametrize("wrong", ["112-233-445 96", "112-233-454 95", "05023431601", "82098123399"])
def test_snils_with_wrong_check_digits_is_refused(wrong: str) -> None:
    with pytest.raises(ValidationError) as exc:
        ids.validate_snils(wrong)
    assert only_error(exc) == FieldError("snils", ids.SNILS_CHECKSUM)
    assert "check the number on your SNILS card" in ids.SNILS_CHECKSUM


def test_snils_check_digits_apply_only_above_001_001_998() -> None:
    assert ids.validate_snils("001-001-998 00") == "00100199800"
    assert ids.validate_snils("001-001-999 65") == "00100199965"
    with pytest.raises(ValidationError):
        ids.validate_snils("001-001-999 00")


@pytest.mark.parametrize("typed", ["1122334459", "112233445955", "112-233-445 9S", "112.233.445 95"])
def test_snils_of_wrong_shape_asks_for_eleven_digits(typed: str) -> None:
    with pytest.raises(ValidationError) as exc:
        ids.validate_snils(typed)
    assert only_error(exc) == FieldError("snils", ids.SNILS_FORMAT)


def test_empty_snils_is_required() -> None:
    with pytest.raises(ValidationError) as exc:
        ids.validate_snils("  ")
    assert only_error(exc).message == ids.SNILS_REQUIRED


# --- INN --------------------------------------------------------------------------------------


@pytest.mark.parametrize("inn", ["500100732259", "772431886581", "7724 3188 6581"])
def test_valid_person_inn_is_accepted(inn: str) -> None:
    # 500100732259 is the sample personal INN widely used in tax-service examples.
    assert ids.validate_person_inn(inn) == inn.replace(" ", "")


@pytest.mark.parametrize("inn", ["500100732258", "500100732269", "772431886518"])
def test_person_inn_with_wrong_check_digits_is_refused(inn: str) -> None:
    with pytest.raises(ValidationError) as exc:
        ids.validate_person_inn(inn)
    assert only_error(exc) == FieldError("inn", ids.INN_PERSON_CHECKSUM)


@pytest.mark.parametrize("inn", ["7707083893", "50010073225", "5001007322590", "50010073225X"])
def test_person_inn_must_have_twelve_digits(inn: str) -> None:
    with pytest.raises(ValidationError) as exc:
        ids.validate_person_inn(inn)
    assert only_error(exc) == FieldError("inn", ids.INN_PERSON_FORMAT)


def test_valid_organization_inn_is_accepted() -> None:
    # 7707083893 is the published INN of Sberbank; 7731502489 is made up with a valid digit.
    assert ids.validate_org_inn("7707083893") == "7707083893"
    assert ids.validate_org_inn("7731502489") == "7731502489"


def test_organization_inn_with_wrong_check_digit_or_length_is_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        ids.validate_org_inn("7707083894")
    assert only_error(exc) == FieldError("organization_inn", ids.INN_ORG_CHECKSUM)
    with pytest.raises(ValidationError) as exc:
        ids.validate_org_inn("500100732259")
    assert only_error(exc) == FieldError("organization_inn", ids.INN_ORG_FORMAT)


# --- passport ---------------------------------------------------------------------------------

BORN = date(1990, 1, 27)


@pytest.mark.parametrize("typed", ["45 10 123456", "4510 123456", "4510123456", "45-10-123456"])
def test_passport_series_and_number_typed_as_printed(typed: str) -> None:
    assert ids.split_passport(typed) == ("4510", "123456")


def test_passport_in_one_field_must_have_ten_digits() -> None:
    with pytest.raises(ValidationError) as exc:
        ids.split_passport("45 10 12345")
    assert only_error(exc) == FieldError("passport", ids.PASSPORT_FORMAT)


def test_valid_passport_is_normalized() -> None:
    passport = ids.validate_passport(
        series="45 10", number="012345", issue_date="2010-02-12", birth_date=BORN, today=TODAY
    )
    assert passport == ids.Passport(series="4510", number="012345", issue_date=date(2010, 2, 12))


def test_passport_can_be_issued_on_the_14th_birthday_and_today() -> None:
    assert ids.validate_passport_issue_date("2004-01-27", birth_date=BORN, today=TODAY) == date(2004, 1, 27)
    assert ids.validate_passport_issue_date(TODAY, birth_date=BORN, today=TODAY) == TODAY


def test_passport_issued_before_14_or_in_the_future_is_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        ids.validate_passport_issue_date("2004-01-26", birth_date=BORN, today=TODAY)
    assert only_error(exc) == FieldError("passport_issue_date", ids.PASSPORT_ISSUE_DATE_TOO_EARLY)
    with pytest.raises(ValidationError) as exc:
        ids.validate_passport_issue_date("2024-06-16", birth_date=BORN, today=TODAY)
    assert only_error(exc) == FieldError("passport_issue_date", ids.PASSPORT_ISSUE_DATE_IN_FUTURE)


def test_passport_14th_birthday_of_someone_born_on_29_february() -> None:
    leap_born = date(2000, 2, 29)
    assert ids.validate_passport_issue_date("2014-02-28", birth_date=leap_born, today=TODAY) == date(2014, 2, 28)
    with pytest.raises(ValidationError):
        ids.validate_passport_issue_date("2014-02-27", birth_date=leap_born, today=TODAY)


def test_passport_reports_every_wrong_field_at_once() -> None:
    with pytest.raises(ValidationError) as exc:
        ids.validate_passport(series="45 1", number="12345a", issue_date="12.02.2010", birth_date=BORN, today=TODAY)
    assert exc.value.errors == [
        FieldError("passport_series", ids.PASSPORT_SERIES_FORMAT),
        FieldError("passport_number", ids.PASSPORT_NUMBER_FORMAT),
        FieldError("passport_issue_date", ids.PASSPORT_ISSUE_DATE_FORMAT),
    ]


# --- OMS policy -------------------------------------------------------------------------------


def test_oms_policy_is_sixteen_digits() -> None:
    assert ids.validate_oms_policy("7753 8904 1267 5318") == "7753890412675318"
    for wrong in ["775389041267531", "77538904126753180", "7753 8904 1267 531O", ""]:
        with pytest.raises(ValidationError) as exc:
            ids.validate_oms_policy(wrong)
        assert only_error(exc) == FieldError("oms_policy", ids.OMS_POLICY_FORMAT)


# --- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Иванова ", "Иванова"),
        ("Салтыков-Щедрин", "Салтыков-Щедрин"),
        ("Д’Артаньян", "Д'Артаньян"),
        ("Анна  Мария", "Анна Мария"),
        ("Фёдорова", "Фёдорова"),
        ("Smith", "Smith"),
        ("Я", "Я"),
    ],
)
def test_names_are_trimmed_and_normalized(typed: str, stored: str) -> None:
    assert v.validate_surname(typed) == stored
    assert v.validate_given_name(typed) == stored
    assert v.validate_patronymic(typed) == stored


def test_decomposed_letters_are_stored_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "Андрей")
    assert v.validate_given_name(decomposed) == "Андрей"


@pytest.mark.parametrize("typed", ["Иван0в", "-Иванов", "Иванов-", "Иванов--Петров", "Ivan_ov", "Μαρία"])
def test_names_with_other_characters_are_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as exc:
        v.validate_surname(typed)
    assert only_error(exc) == FieldError("surname", v.SURNAME_CHARACTERS)


def test_names_are_limited_to_60_characters() -> None:
    assert v.validate_surname("Я" * 60) == "Я" * 60
    with pytest.raises(ValidationError) as exc:
        v.validate_surname("Я" * 61)
    assert only_error(exc) == FieldError("surname", v.SURNAME_TOO_LONG)


def test_surname_and_name_are_required_but_patronymic_is_not() -> None:
    with pytest.raises(ValidationError) as exc:
        v.validate_surname(" ")
    assert only_error(exc) == FieldError("surname", v.SURNAME_REQUIRED)
    with pytest.raises(ValidationError) as exc:
        v.validate_given_name("")
    assert only_error(exc) == FieldError("name", v.NAME_REQUIRED)
    assert v.validate_patronymic("  ") is None
    assert v.validate_patronymic(None) is None


def test_each_name_field_names_itself_in_its_message() -> None:
    with pytest.raises(ValidationError) as exc:
        v.validate_given_name("Ив@н")
    assert only_error(exc) == FieldError("name", v.NAME_CHARACTERS)
    assert v.NAME_CHARACTERS.startswith("Name:")
    with pytest.raises(ValidationError) as exc:
        v.validate_patronymic("Иванович1")
    assert only_error(exc) == FieldError("patronymic", v.PATRONYMIC_CHARACTERS)


# --- birth date, gender, address, OID -------------------------------------------------------


def test_birth_date_is_parsed_from_iso() -> None:
    assert v.validate_birth_date("1985-03-14", today=TODAY) == date(1985, 3, 14)
    assert v.validate_birth_date(date(1985, 3, 14), today=TODAY) == date(1985, 3, 14)


def test_account_can_be_opened_from_the_14th_birthday() -> None:
    assert v.validate_birth_date("2010-06-15", today=TODAY) == date(2010, 6, 15)
    with pytest.raises(ValidationError) as exc:
        v.validate_birth_date("2010-06-16", today=TODAY)
    assert only_error(exc) == FieldError("birth_date", v.BIRTH_DATE_TOO_YOUNG)


def test_person_born_on_29_february_turns_14_on_28_february() -> None:
    assert v.validate_birth_date("2008-02-29", today=date(2022, 2, 28)) == date(2008, 2, 29)
    with pytest.raises(ValidationError):
        v.validate_birth_date("2008-02-29", today=date(2022, 2, 27))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2024-06-16", v.BIRTH_DATE_IN_FUTURE),
        ("1899-12-31", v.BIRTH_DATE_TOO_EARLY),
        ("14.03.1985", v.BIRTH_DATE_FORMAT),
        ("19850314", v.BIRTH_DATE_FORMAT),
        ("1985-02-30", v.BIRTH_DATE_FORMAT),
        ("", v.BIRTH_DATE_REQUIRED),
    ],
)
def test_impossible_birth_dates_are_refused(typed: str, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        v.validate_birth_date(typed, today=TODAY)
    assert only_error(exc) == FieldError("birth_date", message)


def test_birth_date_of_1900_is_accepted() -> None:
    assert v.validate_birth_date("1900-01-01", today=TODAY) == date(1900, 1, 1)


def test_gender_is_m_or_f() -> None:
    assert v.validate_gender(" f ") == "F"
    assert v.validate_gender("M") == "M"
    with pytest.raises(ValidationError) as exc:
        v.validate_gender("Ж")
    assert only_error(exc) == FieldError("gender", v.GENDER_INVALID)


def test_address_is_one_trimmed_line() -> None:
    typed = "  г. Москва,\n ул. Профсоюзная,  д. 56, кв. 112 "
    assert v.validate_address(typed) == "г. Москва, ул. Профсоюзная, д. 56, кв. 112"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("   ", v.ADDRESS_REQUIRED),
        ("Москва", v.ADDRESS_TOO_SHORT),
        ("г. Москва, " + "ул. Тверская " * 25, v.ADDRESS_TOO_LONG),
        ("г. Москва\u202e, ул. Тверская", v.ADDRESS_CHARACTERS),  # right-to-left override
        ("г. Москва\x00, ул. Тверская", v.ADDRESS_CHARACTERS),
    ],
)
def test_unusable_addresses_are_refused(typed: str, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        v.validate_address(typed)
    assert only_error(exc) == FieldError("address", message)


def test_new_person_oid_looks_like_an_esia_oid() -> None:
    oids = {v.new_person_oid() for _ in range(200)}
    assert all(isinstance(oid, int) and len(str(oid)) == 10 for oid in oids)
    assert all(1_000_000_000 <= oid <= 1_999_999_999 for oid in oids)
    assert len(oids) > 190  # random, not a counter or a constant


# --- messages ---------------------------------------------------------------------------------


def test_messages_are_constant_sentences_that_name_their_field() -> None:
    messages = [
        value
        for module in (ids, v)
        for name, value in vars(module).items()
        if name.isupper() and isinstance(value, str) and ":" in value
    ]
    assert len(messages) > 20
    for message in messages:
        field, _, advice = message.partition(": ")
        assert field and field[0].isupper() and advice, message
        assert "{" not in message, message
