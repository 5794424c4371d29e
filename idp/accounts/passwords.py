"""Password hashing (argon2id) and the password policy.

Hashing: a `PasswordHashing` holds one set of argon2id parameters (`HashParameters`, from the
``GOSID_PASSWORD_HASH_*`` settings) and never lets argon2-cffi's exceptions out. The app
factory builds it once (``Services.passwords``), gives it to the login service and makes it the
process's hasher for the module-level `hash_password` / `verify_password` / `needs_rehash`
(`configure`). Passwords are NFKC-normalized before hashing (NIST SP 800-63B 5.1.1.2), so the
same password typed with composed or decomposed characters verifies. `burn_verification_time`
costs the same as a real verification and is called when the account does not exist, so
response time does not reveal which logins are registered.

Policy: `check_password_policy` (see its docstring for the rules and what is deliberately absent).
"""

from __future__ import annotations

import re
import secrets
import string
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from idp.accounts.breached_passwords import is_breached
from idp.accounts.common_passwords import COMMON_PASSWORDS
from idp.accounts.transliteration import ICAO, POPULAR, transliterate
from idp.accounts.validation import FieldError, ValidationError
from idp.errors import N_


@dataclass(frozen=True)
class HashParameters:
    """argon2id cost; the defaults are OWASP's first recommendation (m=19 MiB, t=2, p=1)."""

    memory_kib: int = 19456
    time_cost: int = 2
    parallelism: int = 1


class PasswordHashing:
    """argon2id with one set of parameters; a hash made with others still verifies and
    `needs_rehash` says to store a fresh one."""

    def __init__(self, parameters: HashParameters | None = None) -> None:
        self.parameters = parameters or HashParameters()
        self._hasher = PasswordHasher(
            time_cost=self.parameters.time_cost,
            memory_cost=self.parameters.memory_kib,
            parallelism=self.parameters.parallelism,
            type=Type.ID,
        )
        # Made with the same parameters as real hashes, so a dummy check costs the same.
        self._dummy_hash = self.hash(secrets.token_urlsafe(32))

    def hash(self, password: str) -> str:
        """An argon2id PHC string ("$argon2id$v=19$...") with its own random salt; never raises."""
        return self._hasher.hash(_prepare(password))

    def verify(self, *, stored_hash: str, password: str) -> bool:
        """True only if `password` matches `stored_hash`; False on mismatch or a malformed hash."""
        try:
            return self._hasher.verify(stored_hash, _prepare(password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        """True if the hash was made with other parameters (or is unreadable)."""
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True

    def burn_verification_time(self, password: str) -> None:
        """Spend the time of one `verify` call; use it when the login names no account."""
        self.verify(stored_hash=self._dummy_hash, password=password)


def _prepare(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


_configured = PasswordHashing()


def configure(hashing: PasswordHashing) -> None:
    """Make `hashing` the process's hasher for the functions below (the app factory does)."""
    global _configured  # one hasher per process, set once at start-up
    _configured = hashing


def hash_password(password: str) -> str:
    return _configured.hash(password)


def verify_password(*, stored_hash: str, password: str) -> bool:
    return _configured.verify(stored_hash=stored_hash, password=password)


def needs_rehash(stored_hash: str) -> bool:
    return _configured.needs_rehash(stored_hash)


def burn_verification_time(password: str) -> None:
    _configured.burn_verification_time(password)


# --- policy -----------------------------------------------------------------------------------

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 256

POLICY_TOO_SHORT = N_("Password: use at least 12 characters; a phrase of a few words is long and easy to remember")
POLICY_TOO_LONG = N_("Password: use at most 256 characters")
POLICY_EASY_SEQUENCE = N_(
    "Password: avoid easy sequences such as 12345, qwerty, йцукен or abcde, and five or more repeated characters"
)
POLICY_PERSONAL_DATA = N_("Password: do not use your name, surname, patronymic or birth date in the password")
POLICY_TOO_COMMON = N_("Password: this password is too common and easy to guess; choose another one")
POLICY_CHARACTER_CLASSES = N_(
    "Password: use at least three of the four kinds of characters: capital letters, small letters, "
    "digits, special characters such as @, # or $"
)
CURRENT_PASSWORD_WRONG = N_("Current password: the password is not correct; type your current password")
NEW_PASSWORD_MISMATCH = N_("Password confirmation: the two passwords differ; type the same password twice")
POLICY_REUSED = N_(
    "Password: you used this password recently; choose one you have not used in your last five passwords"
)


@dataclass(frozen=True)
class PasswordPolicy:
    """Which rules apply. ``character_classes`` is how many of the four kinds (capital, small,
    digit, other) a password needs; 0 means no composition rule."""

    name: str
    character_classes: int = 0
    history: int = 5


# The Gosuslugi article's rules (12+ characters, 3 of 4 character classes, no sequences, no
# personal data, not one of the last 5 passwords). The class rule is a documented deviation
# from OWASP ASVS 6.2.5 / NIST SP 800-63B, which forbid composition rules.
GOSUSLUGI = PasswordPolicy(name="gosuslugi", character_classes=3)
# NIST SP 800-63B: the same length, blocklist and history rules, no composition rule.
NIST_800_63B = PasswordPolicy(name="nist", character_classes=0)
PRESETS = {p.name: p for p in (GOSUSLUGI, NIST_800_63B)}

_RUN = 5  # length of a run that counts as an easy sequence ("12345", "qwert", "aaaaa")
_PERSONAL_MIN_LENGTH = 3

_SEQUENCE_SOURCES = (
    "01234567890",
    string.ascii_lowercase,
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "абвгдежзийклмнопрстуфхцчшщъыьэюя",
    # keyboard rows, Latin and Russian (ЙЦУКЕН) layouts, and the shifted digit row
    "qwertyuiop[]",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "йцукенгшщзхъ",
    "фывапролджэ",
    "ячсмитьбю.",
    "!@#$%^&*()_+",
)


def _windows(text: str, size: int) -> Iterator[str]:
    return (text[i : i + size] for i in range(len(text) - size + 1))


_EASY_RUNS = frozenset(
    window
    for source in _SEQUENCE_SOURCES
    for direction in (source, source[::-1])
    for window in _windows(direction, _RUN)
)
_REPEATED = re.compile(r"(.)\1{4}", re.DOTALL)  # one character and 4 repeats: a run of _RUN


def check_password_policy(
    password: str,
    *,
    personal_values: Iterable[str],
    policy: PasswordPolicy = NIST_800_63B,
    previous_hashes: Iterable[str] = (),
) -> None:
    """Raise `ValidationError` (field "password", one error per broken rule) or return None.

    Rules: 12 to 256 characters after NFKC normalization, any Unicode including spaces, never
    truncated; no run of 5+ keyboard, alphabet or digit sequence characters or 5+ repeated
    characters; none of `personal_values` (surname, name, patronymic; an ISO date such as
    "1985-03-14" also rules out "1985", "14031985", "140385", "14.03.1985" ...) when 3+
    characters long, also in Latin transliteration; not a very common password, alone or with
    only digits and punctuation around it. Comparisons ignore case.

    With ``policy=GOSUSLUGI`` (the IdP's default, ``GOSID_PASSWORD_POLICY``) at least three of
    the four character classes are needed too; the default here, ``NIST_800_63B``, has no
    composition rule (OWASP ASVS v4 2.1.9, v5 6.2.5 and NIST SP 800-63B forbid them because they
    push people to predictable patterns such as "Password1!"). ``previous_hashes`` (newest
    first) refuses the last ``policy.history`` passwords.
    """
    text = _prepare(password)
    if len(text) > PASSWORD_MAX_LENGTH:
        raise ValidationError(FieldError("password", POLICY_TOO_LONG))
    folded = text.casefold()
    messages: list[str] = []
    if len(text) < PASSWORD_MIN_LENGTH:
        messages.append(POLICY_TOO_SHORT)
    if _has_easy_sequence(folded):
        messages.append(POLICY_EASY_SEQUENCE)
    if any(value in folded for value in _personal_variants(personal_values)):
        messages.append(POLICY_PERSONAL_DATA)
    if _is_common(folded):
        messages.append(POLICY_TOO_COMMON)
    if policy.character_classes and _character_classes(text) < policy.character_classes:
        messages.append(POLICY_CHARACTER_CLASSES)
    recent = list(previous_hashes)[: policy.history]
    if any(verify_password(stored_hash=stored, password=password) for stored in recent):
        messages.append(POLICY_REUSED)
    if messages:
        raise ValidationError(*(FieldError("password", message) for message in messages))


def _character_classes(text: str) -> int:
    kinds = (str.isupper, str.islower, str.isdigit, lambda c: not c.isalnum())
    return sum(any(kind(char) for char in text) for kind in kinds)


def _has_easy_sequence(folded: str) -> bool:
    return bool(_REPEATED.search(folded)) or any(window in _EASY_RUNS for window in _windows(folded, _RUN))


def _is_common(folded: str) -> bool:
    core = folded.strip(string.digits + string.punctuation + string.whitespace)
    # One common word repeated, with anything but letters around it: "пароль пароль пароль".
    words = set(re.findall(r"[^\W\d_]+", folded))
    if is_breached(folded):  # whole password only: "garden" is listed, "Garden14031985" is not
        return True
    return folded in COMMON_PASSWORDS or core in COMMON_PASSWORDS or (len(words) == 1 and words <= COMMON_PASSWORDS)


def _personal_variants(values: Iterable[str]) -> set[str]:
    variants: set[str] = set()
    for value in values:
        text = _prepare(value).strip().casefold()
        born = _as_iso_date(text)
        candidates = _date_forms(born) if born else [text, *re.split(r"[\s\-']+", text)]
        for candidate in candidates:
            popular = transliterate(candidate, POPULAR)
            # "Мария" is written "mariia" (ICAO), "mariya" and, just as often, "maria".
            variants.update({candidate, transliterate(candidate, ICAO), popular})
            variants.add(popular.replace("iya", "ia"))
    return {variant for variant in variants if len(variant) >= _PERSONAL_MIN_LENGTH}


def _as_iso_date(text: str) -> date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _date_forms(born: date) -> list[str]:
    formats = ("%Y", "%d%m%Y", "%Y%m%d", "%d%m%y", "%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%d-%m-%Y")
    return [born.strftime(fmt) for fmt in formats]
