"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable

import pytest
from argon2 import PasswordHasher, Type, extract_parameters

from idp.accounts import passwords
from idp.accounts.validation import FieldError, ValidationError

PERSON = ["Иванова", "Мария", "Сергеевна", "1985-03-14"]


def policy_messages(password: str, personal_values: list[str] | None = None) -> list[str]:
    try:
        passwords.check_password_policy(password, personal_values=personal_values or PERSON)
    except ValidationError as exc:
        assert all(error.field == "password" for error in exc.errors)
        return [error.message for error in exc.errors]
    return []


# --- hashing ----------------------------------------------------------------------------------


def test_hash_is_argon2id_and_verifies_only_the_same_password() -> None:
    stored = passwords.hash_password("Moskva-Patient-2024!")
    assert stored.startswith("$argon2id$")
    assert "Moskva" not in stored
    assert passwords.verify_password(stored_hash=stored, password="Moskva-Patient-2024!")
    assert not passwords.verify_password(stored_hash=stored, password="moskva-patient-2024!")
    assert not passwords.verify_password(stored_hash=stored, password="")


def test_same_password_hashes_differently_each_time() -> None:
    assert passwords.hash_password("same password here") != passwords.hash_password("same password here")


def test_long_passwords_are_not_truncated() -> None:
    long_password = "я" * 255 + "a"
    stored = passwords.hash_password(long_password)
    assert passwords.verify_password(stored_hash=stored, password=long_password)
    assert not passwords.verify_password(stored_hash=stored, password="я" * 255 + "b")


def test_password_typed_with_decomposed_letters_still_verifies() -> None:
    stored = passwords.hash_password("Мой пароль — йогурт и ёжик")
    typed = unicodedata.normalize("NFD", "Мой пароль — йогурт и ёжик")
    assert typed != "Мой пароль — йогурт и ёжик"
    assert passwords.verify_password(stored_hash=stored, password=typed)


@pytest.mark.parametrize("stored", ["", "not a hash", "$argon2id$v=19$m=65536,t=3,p=4$broken"])
def test_malformed_stored_hash_never_verifies_and_never_raises(stored: str) -> None:
    assert not passwords.verify_password(stored_hash=stored, password="anything at all")
    assert passwords.needs_rehash(stored)


def test_hash_is_made_with_the_configured_parameters() -> None:
    hashing = passwords.PasswordHashing(passwords.HashParameters(memory_kib=2048, time_cost=3, parallelism=2))
    made = extract_parameters(hashing.hash("Moskva-Patient-2024!"))
    assert (made.type, made.memory_cost, made.time_cost, made.parallelism) == (Type.ID, 2048, 3, 2)
    assert hashing.verify(stored_hash=hashing.hash("Moskva-Patient-2024!"), password="Moskva-Patient-2024!")


def test_a_hash_made_with_other_parameters_verifies_and_needs_rehash() -> None:
    old = passwords.PasswordHashing(passwords.HashParameters(memory_kib=1024, time_cost=1, parallelism=1))
    new = passwords.PasswordHashing(passwords.HashParameters(memory_kib=2048, time_cost=1, parallelism=1))
    stored = old.hash("Moskva-Patient-2024!")
    assert new.verify(stored_hash=stored, password="Moskva-Patient-2024!")
    assert new.needs_rehash(stored) and not old.needs_rehash(stored)


def test_hash_with_weaker_parameters_needs_rehash() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("Moskva-Patient-2024!")
    assert passwords.verify_password(stored_hash=weak, password="Moskva-Patient-2024!")
    assert passwords.needs_rehash(weak)
    assert not passwords.needs_rehash(passwords.hash_password("Moskva-Patient-2024!"))


def _fastest(action: Callable[[], object], runs: int = 3) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings)


def test_unknown_account_costs_as_much_time_as_a_wrong_password() -> None:
    # Dearer than the suite's cheap cost, so that argon2's work and not noise is measured.
    hashing = passwords.PasswordHashing(passwords.HashParameters(memory_kib=8192, time_cost=2, parallelism=1))
    stored = hashing.hash("Moskva-Patient-2024!")
    real = _fastest(lambda: hashing.verify(stored_hash=stored, password="wrong guess"))
    dummy = _fastest(lambda: hashing.burn_verification_time("wrong guess"))
    # Generous bounds: the point is that a dummy check does the full argon2 work, not a shortcut.
    assert 0.5 < dummy / real < 2.0


# --- policy -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "Moskva-Patient-2024!",
        "correct horse battery staple",  # no digits, capitals or symbols: no composition rule
        "Мой кот любит сметану",
    ],
)
def test_good_passwords_pass(password: str) -> None:
    assert policy_messages(password) == []


def test_length_is_12_to_256_characters_counted_as_characters_not_bytes() -> None:
    assert policy_messages("Kot-na-okne") == [passwords.POLICY_TOO_SHORT]  # 11
    assert policy_messages("Kot-na-okne!") == []  # 12
    phrase = "Кот на окне " * 21  # 252 characters, 462 bytes in UTF-8
    assert policy_messages(phrase + "сиди") == []  # 256
    assert policy_messages(phrase + "сидит") == [passwords.POLICY_TOO_LONG]  # 257


def test_spaces_count_and_are_kept() -> None:
    assert policy_messages("  moon  river  ") == []
    assert policy_messages("moon river") == [passwords.POLICY_TOO_SHORT]


@pytest.mark.parametrize(
    "password",
    [
        "Zebra-12345-Moon",
        "Zebra-54321-Moon",
        "Zebra-67890-Moon",
        "my QWERTY keyboard",
        "ЙЦУКЕН в пароле!",
        "ABCDEF garden party",
        "вгдеё в саду растёт",
        "Summer-11111-sun",
        "Zebra-!@#$%-Moon",
        "asdfg asdfg asdfg",
        "Zebra           Moon",
    ],
)
def test_easy_sequences_are_refused(password: str) -> None:
    assert policy_messages(password) == [passwords.POLICY_EASY_SEQUENCE]


def test_four_character_runs_are_fine() -> None:
    assert policy_messages("Zebra-1234-Moon-abcd") == []


@pytest.mark.parametrize(
    "password",
    [
        "Иванова навсегда!",
        "ivanova-forever!!",
        "Моя МАРИЯ — лучшая",
        "Sergeevna rules!!",
        "Garden-1985-path",
        "Garden14031985",
        "Garden-140385-x",
        "Garden 14.03.1985",
    ],
)
def test_own_name_and_birth_date_are_refused(password: str) -> None:
    assert policy_messages(password) == [passwords.POLICY_PERSONAL_DATA]


def test_popular_transliteration_is_also_recognized() -> None:
    assert policy_messages("yuliya-sunshine-day", ["Юлия"]) == [passwords.POLICY_PERSONAL_DATA]
    assert policy_messages("iuliia-sunshine-day", ["Юлия"]) == [passwords.POLICY_PERSONAL_DATA]
    assert policy_messages("Maria sunshine day", ["Мария"]) == [passwords.POLICY_PERSONAL_DATA]


def test_personal_values_shorter_than_three_characters_are_ignored() -> None:
    assert policy_messages("Ян и море большое", ["Ян", "Ли"]) == []


def test_parts_of_double_surnames_are_checked_separately() -> None:
    assert policy_messages("Belova na more 77", ["Соколова-Белова"]) == [passwords.POLICY_PERSONAL_DATA]


@pytest.mark.parametrize(
    "password",
    [
        "qwertyuiop123",
        "PasswordPassword",
        "Spartak2024!!!",
        "iloveyou-iloveyou",
        "пароль пароль пароль",
        "Gosuslugi.ru2024",
    ],
)
def test_common_passwords_are_refused(password: str) -> None:
    assert passwords.POLICY_TOO_COMMON in policy_messages(password)


def test_every_broken_rule_is_reported_at_once() -> None:
    assert policy_messages("12345") == [
        passwords.POLICY_TOO_SHORT,
        passwords.POLICY_EASY_SEQUENCE,
        passwords.POLICY_TOO_COMMON,
    ]


def test_policy_error_is_a_validation_error_on_the_password_field() -> None:
    with pytest.raises(ValidationError) as exc:
        passwords.check_password_policy("short", personal_values=[])
    assert exc.value.errors == [FieldError("password", passwords.POLICY_TOO_SHORT)]
    assert all(
        message.startswith("Password: ")
        for message in (
            passwords.POLICY_TOO_SHORT,
            passwords.POLICY_TOO_LONG,
            passwords.POLICY_EASY_SEQUENCE,
            passwords.POLICY_PERSONAL_DATA,
            passwords.POLICY_TOO_COMMON,
        )
    )
