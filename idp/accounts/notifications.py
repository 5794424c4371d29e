"""Security notifications: a change to the account goes to the contacts it had before.

So a person whose account was taken over hears about it on the phone and e-mail they still
control. Texts are Russian (the people's language); each names what changed and what to do.
"""

from __future__ import annotations

from idp.accounts.models import Person
from idp.audit import log as audit
from idp.outbox.senders import DeliveryFailed, MessageSender

CHANGE_TEXTS = {
    "password": "пароль",
    "phone": "номер телефона",
    "email": "адрес электронной почты",
    "factor_added": "способ подтверждения входа (добавлен)",
    "factor_removed": "способ подтверждения входа (удалён)",
    "password_reset": "пароль (восстановление доступа)",
}
CHANGE_SMS = "Госуслуги (gosid): в учётной записи изменён {what}. Если это были не вы, восстановите пароль: {url}"
CHANGE_MAIL_SUBJECT = "Госуслуги (gosid): изменение учётной записи"
CHANGE_MAIL = (
    "Здравствуйте!\n\nВ вашей учётной записи изменён {what}.\n"
    "Если это были не вы, восстановите пароль и завершите все сеансы: {url}\n"
)


def notify_change(
    sender: MessageSender, person: Person, what: str, *, url: str, phone: str | None = None, email: str | None = None
) -> None:
    """Tell the person about ``what`` (a key of ``CHANGE_TEXTS``) on the given (old) contacts,
    by default the account's current ones. Delivery problems are audited, never raised."""
    text = CHANGE_TEXTS.get(what, what)
    phone = phone or person.phone
    email = email if email is not None else person.email
    try:
        if phone:
            sender.send_sms(phone, CHANGE_SMS.format(what=text, url=url))
        if email:
            sender.send_email(email, CHANGE_MAIL_SUBJECT, CHANGE_MAIL.format(what=text, url=url))
    except DeliveryFailed as exc:
        audit.record("security_notification", result="undelivered", person_oid=person.oid, reason=str(exc)[:200])
        return
    audit.record("security_notification", person_oid=person.oid, change=what)


REPLAY_SMS = (
    "Госуслуги (gosid): при входе в вашу учётную запись повторно введён уже использованный код "
    "из приложения. Если это были не вы, смените пароль и завершите все сеансы: {url}"
)
REPLAY_MAIL_SUBJECT = "Госуслуги (gosid): подозрительная попытка входа"


def notify_replayed_code(sender: MessageSender, person: Person, *, url: str) -> None:
    """ASVS 2.8.5: a one-time code presented twice may mean it was stolen; tell the person."""
    try:
        sender.send_sms(person.phone, REPLAY_SMS.format(url=url))
        if person.email:
            sender.send_email(person.email, REPLAY_MAIL_SUBJECT, REPLAY_SMS.format(url=url))
    except DeliveryFailed as exc:
        audit.record("security_notification", result="undelivered", person_oid=person.oid, reason=str(exc)[:200])
        return
    audit.record("security_notification", person_oid=person.oid, change="totp_replayed")


PERSONAL_FIELD_TEXTS = {
    "surname": "фамилия",
    "name": "имя",
    "patronymic": "отчество",
    "birth_date": "дата рождения",
    "gender": "пол",
    "snils": "СНИЛС",
    "passport_series": "серия паспорта",
    "passport_number": "номер паспорта",
    "passport_issue_date": "дата выдачи паспорта",
    "inn": "ИНН",
    "oms_policy": "полис ОМС",
    "region_code": "регион",
    "address": "адрес регистрации",
}
PERSONAL_DATA_SMS = (
    "Госуслуги (gosid): в учётной записи изменены личные данные ({what}).{lowered} "
    "Если это были не вы, восстановите пароль: {url}"
)
LEVEL_LOWERED_TEXT = " Учётная запись снова упрощённая: подтвердите данные заново (проверка СНИЛС и паспорта)."
PERSONAL_DATA_MAIL_SUBJECT = "Госуслуги (gosid): изменены личные данные"


def notify_personal_data_change(
    sender: MessageSender, person: Person, *, fields: tuple[str, ...], lowered: bool, url: str
) -> None:
    """Tell the person which personal data changed and whether the level dropped, on the
    account's phone and e-mail. Delivery problems are audited, never raised."""
    what = ", ".join(PERSONAL_FIELD_TEXTS.get(f, f) for f in fields)
    text = PERSONAL_DATA_SMS.format(what=what, lowered=LEVEL_LOWERED_TEXT if lowered else "", url=url)
    try:
        sender.send_sms(person.phone, text)
        if person.email:
            sender.send_email(person.email, PERSONAL_DATA_MAIL_SUBJECT, f"Здравствуйте!\n\n{text}\n")
    except DeliveryFailed as exc:
        audit.record("security_notification", result="undelivered", person_oid=person.oid, reason=str(exc)[:200])
        return
    audit.record("security_notification", person_oid=person.oid, change="personal_data")
