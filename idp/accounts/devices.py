"""Known browsers: a login from a new one sends an e-mail and an SMS with a link to the
sessions page, where the person can end sessions and change the password.

The browser is recognised by a random long-lived cookie; only its digest is stored.
"""

from __future__ import annotations

from sqlalchemy import select

from idp.accounts.models import Person
from idp.accounts.security_models import KnownDevice
from idp.audit import log as audit
from idp.outbox.senders import DeliveryFailed, MessageSender
from idp.security.hashes import secret_digest
from idp.storage.db import db, utcnow

NEW_DEVICE_SMS = "Госуслуги (gosid): вход с нового устройства ({browser}). Если это не вы: {url}"
NEW_DEVICE_SUBJECT = "Госуслуги (gosid): вход с нового устройства"
NEW_DEVICE_MAIL = (
    "Здравствуйте!\n\nВ вашу учётную запись выполнен вход с нового устройства или браузера:\n{browser}, IP {ip}.\n"
    "Если это были не вы, завершите сеансы и смените пароль: {url}\n"
)


def recognise(sender: MessageSender, person: Person, token: str, *, user_agent: str, ip: str, url: str) -> bool:
    """Remember this browser for the person; True (and a notification) if it is new to them."""
    digest = secret_digest(token)
    query = select(KnownDevice).where(KnownDevice.person_oid == person.oid, KnownDevice.device_digest == digest)
    found = db.session.scalars(query).first()
    if found is not None:
        found.last_seen_at = utcnow()
        return False
    db.session.add(KnownDevice(person_oid=person.oid, device_digest=digest, user_agent=user_agent[:300]))
    browser = _short(user_agent)
    try:
        sender.send_sms(person.phone, NEW_DEVICE_SMS.format(browser=browser, url=url))
        if person.email:
            sender.send_email(person.email, NEW_DEVICE_SUBJECT, NEW_DEVICE_MAIL.format(browser=browser, ip=ip, url=url))
    except DeliveryFailed as exc:
        audit.record("new_device_notification", result="undelivered", person_oid=person.oid, reason=str(exc)[:200])
        return True
    audit.record("new_device_notification", person_oid=person.oid)
    return True


def _short(user_agent: str) -> str:
    for name in ("YaBrowser", "Edg", "Firefox", "Chrome", "Safari"):
        if name in user_agent:
            return {"Edg": "Edge", "YaBrowser": "Яндекс Браузер"}.get(name, name)
    return user_agent[:40] or "неизвестный браузер"
