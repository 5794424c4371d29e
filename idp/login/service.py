"""The login flow as a domain service: password, then a second factor, then a session.

Views call these functions and render; every rule (limits, audit, enumeration safety)
lives here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import or_, select

from idp.accounts import passwords
from idp.accounts.models import Person
from idp.audit import log as audit
from idp.factors.base import Challenge
from idp.factors.sms import SmsCodeFactor
from idp.login import policy
from idp.login.errors import FactorRequired, InvalidCredentials
from idp.login.transaction import LoginTransaction, TransactionRepository
from idp.storage.db import db


def _phone_candidate(login: str) -> str | None:
    digits = re.sub(r"\D", "", login)
    if len(digits) == 11 and digits[0] in "78":
        return "+7" + digits[1:]
    if len(digits) == 10 and digits[0] == "9":
        return "+7" + digits
    return None


def find_person(login: str) -> Person | None:
    """Find an account by phone, e-mail or SNILS, the three logins Gosuslugi accepts."""
    login = login.strip()
    if not login or len(login) > 254:
        return None
    if "@" in login:
        return db.session.scalar(select(Person).where(Person.email == login.lower()))
    digits = re.sub(r"\D", "", login)
    conditions = [Person.snils == digits] if len(digits) == 11 else []
    phone = _phone_candidate(login)
    if phone:
        conditions.append(Person.phone == phone)
    if not conditions:
        return None
    return db.session.scalar(select(Person).where(or_(*conditions)))


@dataclass(frozen=True)
class FinishedLogin:
    person_oid: int
    factors: list[str]
    amr: list[str]
    acr: str
    next_url: str


class LoginService:
    def __init__(self, *, transactions: TransactionRepository, sms: SmsCodeFactor) -> None:
        self.transactions = transactions
        self.sms = sms

    def check_password(self, tx: LoginTransaction, login: str, password: str) -> Person:
        """Same error, status and (roughly) timing whether or not the account exists."""
        person = find_person(login)
        if person is None:
            passwords.burn_verification_time(password)
            audit.record("login_password", result="unknown_account", login_kind=_kind(login))
            raise InvalidCredentials()
        if not passwords.verify_password(stored_hash=person.password_hash, password=password):
            audit.record("login_password", result="wrong_password", person_oid=person.oid)
            raise InvalidCredentials()
        if person.disabled:
            audit.record("login_password", result="disabled", person_oid=person.oid)
            raise InvalidCredentials()
        tx.person_oid = person.oid
        tx.factors = ["password"]
        self.transactions.save(tx)
        audit.record("login_password", person_oid=person.oid)
        return person

    def person_of(self, tx: LoginTransaction) -> Person:
        if tx.person_oid is None or "password" not in tx.factors:
            raise FactorRequired()
        person = db.session.get(Person, tx.person_oid)
        if person is None or person.disabled:
            raise InvalidCredentials()
        return person

    def send_sms(self, tx: LoginTransaction) -> Challenge:
        return self.sms.begin(tx, self.person_of(tx))

    def check_sms(self, tx: LoginTransaction, code: str) -> FinishedLogin:
        person = self.person_of(tx)
        result = self.sms.verify(tx, person, code)
        tx.complete_factor(result.factor)
        done = self.transactions.finish(tx)
        factors = [*done.factors, result.factor] if result.factor not in done.factors else done.factors
        finished = FinishedLogin(
            person_oid=person.oid,
            factors=factors,
            amr=policy.amr_for(factors),
            acr=policy.acr_for(factors),
            next_url=done.next_url,
        )
        audit.record("login_completed", person_oid=person.oid, amr=finished.amr, acr=finished.acr)
        return finished


def _kind(login: str) -> str:
    return "email" if "@" in login else "phone_or_snils"
