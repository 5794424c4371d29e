"""Registration as the seed describes it: phone, e-mail and password → an SMS code
confirms the phone → the profile (full name, birth date, passport, address)."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import select

from idp.accounts import contacts, lookup_limits
from idp.accounts import validation as v
from idp.accounts.lookup_limits import LookupLimits
from idp.accounts.models import AccountLevel, Person
from idp.accounts.passwords import NIST_800_63B, PasswordPolicy, check_password_policy, hash_password
from idp.accounts.profile import ensure_snils_free, validate_profile
from idp.accounts.regions import RegionDirectory
from idp.adapters.store import ShortLivedStore
from idp.audit import log as audit
from idp.authn.errors import TransactionExpired
from idp.authn.origin import Origin
from idp.errors import N_, GosidError
from idp.factors.sms import SmsCodeFactor
from idp.security.hashes import new_token
from idp.storage.db import db

PASSWORD_MISMATCH = N_("Password confirmation: the two passwords differ; type the same password twice")
EMAIL_DROPPED = N_("The e-mail was not attached: it belongs to another account. Add another e-mail in your profile.")
ALREADY_REGISTERED_SMS = (
    "Госуслуги (gosid): на этот номер уже зарегистрирована учётная запись. "
    "Войдите или восстановите пароль. Если это были не вы, ничего не делайте."
)
REGISTRATION_SMS = "Код подтверждения регистрации на Госуслугах (gosid): {code}. Никому его не сообщайте."


@dataclass
class PendingRegistration:
    id: str
    phone: str
    email: str | None
    password_hash: str
    created_at: int
    oid: int | None = None  # SmsRecipient protocol: no account yet


class RegistrationService:
    def __init__(
        self,
        *,
        store: ShortLivedStore,
        sms: SmsCodeFactor,
        lookups: LookupLimits,
        ttl: int,
        password_policy: PasswordPolicy = NIST_800_63B,
    ) -> None:
        self._store, self._sms, self._lookups, self._ttl = store, sms, lookups, ttl
        self._policy = password_policy

    def start(
        self, *, phone: str, email: str, password: str, password_confirm: str, origin: Origin
    ) -> PendingRegistration:
        """Validate step 1 and text a code. Every field error is reported at once."""
        errors = v.ErrorCollector()
        phone_e164 = errors.check(contacts.validate_mobile_phone, phone)
        email_norm = errors.check(contacts.validate_email, email) if email.strip() else None
        email_norm = email_norm.lower() if email_norm else None
        errors.check(
            check_password_policy,
            password,
            personal_values=[email.split("@")[0]] if email else [],
            policy=self._policy,
        )
        if password != password_confirm:
            errors.errors.append(v.FieldError("password_confirm", PASSWORD_MISMATCH))
        errors.raise_if_any()
        assert phone_e164 is not None
        pending = PendingRegistration(
            id=new_token(24),
            phone=phone_e164,
            email=email_norm,
            password_hash=hash_password(password),
            created_at=int(time.time()),
        )
        self._store.set(f"reg:{pending.id}", json.dumps(asdict(pending)), ttl=self._ttl)
        taken = db.session.scalar(select(Person.oid).where(Person.phone == phone_e164)) is not None
        text = ALREADY_REGISTERED_SMS if taken else REGISTRATION_SMS
        self._sms.begin(pending, pending, origin, text=text, decoy=taken)
        audit.record("registration_started", result="phone_taken" if taken else "ok")
        return pending

    def load(self, reg_id: str | None) -> PendingRegistration:
        raw = self._store.get(f"reg:{reg_id}") if reg_id else None
        if raw is None:
            raise TransactionExpired()
        return PendingRegistration(**json.loads(raw))

    def resend(self, pending: PendingRegistration, origin: Origin) -> None:
        taken = db.session.scalar(select(Person.oid).where(Person.phone == pending.phone)) is not None
        text = ALREADY_REGISTERED_SMS if taken else REGISTRATION_SMS
        self._sms.begin(pending, pending, origin, text=text, decoy=taken)

    def confirm(self, pending: PendingRegistration, code: str, *, ip: str) -> tuple[Person, list[str]]:
        """Check the code and create a simplified account; returns it and notices to show."""
        if pending.email:  # the e-mail look-up below is limited: refuse before anything is used up
            self._lookups.check(account=f"phone:{pending.phone}", ip=ip)
        self._sms.verify(pending, pending, code)
        if self._store.consume(f"reg:{pending.id}") is None:
            raise TransactionExpired()
        notices = []
        email = pending.email
        if email and db.session.scalar(select(Person.oid).where(Person.email == email)) is not None:
            lookup_limits.bound("email")
            email, notices = None, [EMAIL_DROPPED]
        person = Person(
            oid=_unique_oid(),
            phone=pending.phone,
            phone_verified=True,
            email=email,
            password_hash=pending.password_hash,
            level=AccountLevel.SIMPLIFIED.value,
            roles=["patient"],
        )
        db.session.add(person)
        db.session.flush()
        audit.record("registration_confirmed", person_oid=person.oid)
        return person, notices


def _unique_oid() -> int:
    while True:
        oid = v.new_person_oid()
        if db.session.get(Person, oid) is None:
            return oid


class ProfileAlreadyCompleted(GosidError):
    """Registration's step 3 runs once: afterwards personal data changes only through the
    cabinet's flow (idp.accounts.personal_data), which re-checks the account level."""


def save_profile(
    person: Person, form: dict[str, str], *, regions: RegionDirectory, today: date, lookups: LookupLimits, ip: str
) -> None:
    """Complete the profile of a new account; :class:`ProfileAlreadyCompleted` (and nothing
    changes) once it is complete."""
    if person.profile_complete:
        audit.record("profile_updated", result="already_complete", person_oid=person.oid)
        raise ProfileAlreadyCompleted()
    data = validate_profile(form, regions=regions, today=today)
    ensure_snils_free(person, data["snils"], lookups=lookups, ip=ip)
    for key, value in data.items():
        setattr(person, key, value)
    audit.record("profile_updated", person_oid=person.oid)


def create_account_from_cli(
    *,
    phone: str,
    email: str | None,
    password: str,
    surname: str,
    name: str,
    patronymic: str | None,
    birth_date: str,
    today: date,
) -> int:
    e = v.ErrorCollector()
    phone_e164 = e.check(contacts.validate_mobile_phone, phone)
    email_norm = e.check(contacts.validate_email, email) if email else None
    fields = {
        "surname": e.check(v.validate_surname, surname),
        "name": e.check(v.validate_given_name, name),
        "patronymic": e.check(v.validate_patronymic, patronymic),
        "birth_date": e.check(v.validate_birth_date, birth_date, today=today),
    }
    e.check(check_password_policy, password, personal_values=[surname, name, birth_date])
    e.raise_if_any()
    person = Person(
        oid=_unique_oid(),
        phone=phone_e164,
        phone_verified=True,
        email=email_norm,
        password_hash=hash_password(password),
        level=AccountLevel.SIMPLIFIED.value,
        roles=["patient"],
        **fields,
    )
    db.session.add(person)
    db.session.flush()
    return person.oid
