"""The login flow as a domain service: password, then a second factor, then a session.

Views call these functions and render; every rule (which factors may finish this login,
limits, audit, enumeration safety) lives here or in the factor modules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from idp.accounts import passwords
from idp.accounts.lookup import find_person, phone_candidate
from idp.accounts.models import Person
from idp.audit import log as audit
from idp.authn import assurance as policy
from idp.authn.errors import FactorNotAvailable, FactorRequired, InvalidCredentials
from idp.authn.origin import Origin
from idp.authn.transaction import LoginTransaction, TransactionRepository
from idp.factors.base import Challenge, Factor, FactorResult
from idp.factors.models import EnrolledFactor
from idp.factors.registry import FactorRegistry
from idp.factors.sms import SmsCodeFactor
from idp.storage.db import db, utcnow


@dataclass(frozen=True)
class FinishedLogin:
    person_oid: int
    factors: list[str]
    amr: list[str]
    acr: str
    next_url: str


# Called with the person and the finished login after every complete login (notifications).
LoginObserver = Callable[[Person, FinishedLogin], None]


class LoginService:
    def __init__(
        self,
        *,
        transactions: TransactionRepository,
        sms: SmsCodeFactor,
        factors: FactorRegistry | None = None,
        guard: PasswordGuard | None = None,
        hashing: passwords.PasswordHashing,
    ) -> None:
        self.transactions = transactions
        self.hashing = hashing
        self.factors = factors or FactorRegistry([sms])
        self.sms = sms
        self.guard = guard
        self.observers: list[LoginObserver] = []

    @property
    def sms(self) -> SmsCodeFactor:
        return self._sms

    @sms.setter
    def sms(self, factor: SmsCodeFactor) -> None:
        """Replacing the SMS factor (registration shares it; tests shorten its lifetimes)
        replaces it in the registry as well."""
        self._sms = factor
        self.factors.add(factor)

    # --- the password step -------------------------------------------------------------------

    def check_password(
        self, tx: LoginTransaction, login: str, password: str, *, ip: str, captcha_id: str = "", captcha: str = ""
    ) -> Person:
        """Same error, status and (roughly) timing whether or not the account exists; the
        brute-force guard counts failures per account and per IP (``ip``: see idp.login.limits)."""
        person = find_person(login)
        account = f"oid:{person.oid}" if person is not None else f"login:{_normalized(login)}"
        ip = ip or "-"
        if self.guard is not None:
            self.guard.before_attempt(account, ip, captcha_id=captcha_id, captcha=captcha)
        if person is None:
            self.hashing.burn_verification_time(password)
            audit.record("login_password", result="unknown_account", login_kind=_kind(login))
            self._failed(account, ip)
            raise InvalidCredentials()
        if not self.hashing.verify(stored_hash=person.password_hash, password=password):
            audit.record("login_password", result="wrong_password", person_oid=person.oid)
            self._failed(account, ip)
            raise InvalidCredentials()
        if person.disabled:
            audit.record("login_password", result="disabled", person_oid=person.oid)
            raise InvalidCredentials()
        if self.guard is not None:
            self.guard.succeeded(account)
        self._upgrade_hash(person, password)
        tx.person_oid = person.oid
        tx.factors = ["password"]
        self.transactions.save(tx)
        audit.record("login_password", person_oid=person.oid)
        return person

    def _upgrade_hash(self, person: Person, password: str) -> None:
        """After a successful check: a hash made with other argon2id parameters is replaced
        (in the request's transaction with its audit row, so both land or neither)."""
        if self.hashing.needs_rehash(person.password_hash):
            person.password_hash = self.hashing.hash(password)
            audit.record("password_rehashed", person_oid=person.oid)

    def captcha_needed(self, login: str, *, ip: str) -> bool:
        if self.guard is None:
            return False
        person = find_person(login) if login else None
        account = f"oid:{person.oid}" if person is not None else f"login:{_normalized(login)}"
        return self.guard.captcha_needed(account, ip or "-")

    def _failed(self, account: str, ip: str) -> None:
        if self.guard is not None:
            self.guard.failed(account, ip)

    def person_of(self, tx: LoginTransaction) -> Person:
        if tx.person_oid is None or "password" not in tx.factors:
            raise FactorRequired()
        person = db.session.get(Person, tx.person_oid)
        if person is None or person.disabled:
            raise InvalidCredentials()
        return person

    # --- choosing and passing a second factor ------------------------------------------------

    def options(self, tx: LoginTransaction) -> list[str]:
        """The factors this login may finish with, the last used first. When the client asks
        for the strong level and the person can reach it, only strong factors are offered."""
        person = self.person_of(tx)
        names = [n for n in self.factors.available_for(person) if n not in tx.factors]
        reach = [_policy_name(n, person) for n in names]
        allowed = policy.factors_for_step(tx.required_acr, reach)
        return [n for n, p in zip(names, reach, strict=True) if p in allowed]

    def factor(self, tx: LoginTransaction, name: str) -> tuple[Factor, Person]:
        person = self.person_of(tx)
        found = self.factors.get(name)
        if found is None or name not in self.options(tx):
            raise FactorNotAvailable()
        return found, person

    def begin(self, tx: LoginTransaction, name: str, origin: Origin) -> Challenge:
        factor, person = self.factor(tx, name)
        tx.pending = name
        self.transactions.save(tx)
        return factor.begin(tx, person, origin)

    def verify(self, tx: LoginTransaction, name: str, response: str) -> FinishedLogin:
        factor, person = self.factor(tx, name)
        return self.complete(tx, person, factor.verify(tx, person, response))

    def complete(self, tx: LoginTransaction, person: Person, result: FactorResult) -> FinishedLogin:
        """Record a verified factor; finish the login when the policy says it is complete
        (a passwordless factor identified ``person`` itself and must be strong on its own)."""
        tx.person_oid = person.oid
        tx.complete_factor(result.factor)
        if not policy.is_complete(tx.factors):
            self.transactions.save(tx)
            raise FactorRequired()
        done = self.transactions.finish(tx)
        factors = [*done.factors, result.factor] if result.factor not in done.factors else done.factors
        finished = FinishedLogin(
            person_oid=person.oid,
            factors=factors,
            amr=policy.amr_for(factors),
            acr=policy.acr_for(factors),
            next_url=done.next_url,
        )
        self._remember_use(person, tx.pending or result.factor, result)
        audit.record("login_completed", person_oid=person.oid, amr=finished.amr, acr=finished.acr)
        for observer in self.observers:
            observer(person, finished)
        return finished

    def _remember_use(self, person: Person, name: str, result: FactorResult) -> None:
        person.last_factor = name if name in self.factors else person.last_factor
        if result.enrolled_id is not None:
            enrolled = db.session.get(EnrolledFactor, result.enrolled_id)
            if enrolled is not None:
                enrolled.last_used_at = utcnow()


class PasswordGuard(Protocol):
    """Brute-force limits around the password step (see :mod:`idp.login.limits`)."""

    def before_attempt(self, account: str, ip: str, *, captcha_id: str, captcha: str) -> None: ...

    def captcha_needed(self, account: str, ip: str) -> bool: ...

    def failed(self, account: str, ip: str) -> None: ...

    def succeeded(self, account: str) -> None: ...


def _policy_name(name: str, person: Person) -> str:
    """The policy name a factor reaches for this person (a UV passkey is strong)."""
    if name == "passkey":
        return "passkey_uv"
    return name


def _normalized(login: str) -> str:
    login = login.strip().lower()
    return phone_candidate(login) or (re.sub(r"\D", "", login) if "@" not in login else login)[:254]


def _kind(login: str) -> str:
    return "email" if "@" in login else "phone_or_snils"
