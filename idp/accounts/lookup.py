"""Finding an account by what a person types as their login."""

from __future__ import annotations

import re

from sqlalchemy import or_, select

from idp.accounts.models import Person
from idp.storage.db import db


def phone_candidate(login: str) -> str | None:
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
    phone = phone_candidate(login)
    if phone:
        conditions.append(Person.phone == phone)
    if not conditions:
        return None
    return db.session.scalar(select(Person).where(or_(*conditions)))
