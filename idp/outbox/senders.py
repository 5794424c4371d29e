"""Sending SMS and e-mail: the dev outbox, SMTP and an HTTP SMS gateway.

The app factory picks one :class:`MessageSender` from settings: :class:`DevOutbox` in
dev mode, :class:`RealSender` (SMTP + HTTP gateway) otherwise.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Protocol

import requests

from idp.errors import DependencyUnavailable
from idp.outbox.models import OutboxMessage
from idp.storage.db import db


class DeliveryFailed(DependencyUnavailable):
    """The gateway or mail server refused or could not be reached: where nobody catches it (a
    login code that cannot be sent), a 503 with ``Retry-After``."""

    code = "SVC-003"


class MessageSender(Protocol):
    def send_sms(self, phone: str, text: str) -> None: ...
    def send_email(self, to: str, subject: str, body: str) -> None: ...


class DevOutbox:
    """Keeps every message in the ``outbox_message`` table for /dev/outbox, in the caller's
    transaction: a request that fails (and rolls back) has sent nothing."""

    def send_sms(self, phone: str, text: str) -> None:
        db.session.add(OutboxMessage(channel="sms", recipient=phone, body=text))

    def send_email(self, to: str, subject: str, body: str) -> None:
        db.session.add(OutboxMessage(channel="email", recipient=to, subject=subject, body=body))


class SmtpMail:
    def __init__(self, *, host: str, port: int, sender: str, timeout: float = 10) -> None:
        self._host, self._port, self._sender, self._timeout = host, port, sender, timeout

    def send(self, to: str, subject: str, body: str) -> None:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self._sender, to, subject
        msg.set_content(body)
        try:
            with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryFailed(f"SMTP {self._host}:{self._port}: {exc}") from exc


class HttpSmsGateway:
    """POSTs ``{"to": ..., "text": ...}`` as JSON with a bearer token; 2xx means accepted."""

    def __init__(self, *, url: str, token: str, timeout: float = 10) -> None:
        self._url, self._token, self._timeout = url, token, timeout

    def send(self, phone: str, text: str) -> None:
        if not self._url:
            raise DeliveryFailed("GOSID_SMS_GATEWAY_URL is not set")
        try:
            resp = requests.post(
                self._url,
                json={"to": phone, "text": text},
                headers={"Authorization": f"Bearer {self._token}"},
                timeout=self._timeout,
            )
        except requests.RequestException as exc:
            raise DeliveryFailed(f"SMS gateway: {exc}") from exc
        if not 200 <= resp.status_code < 300:
            raise DeliveryFailed(f"SMS gateway answered {resp.status_code}")


class RealSender:
    def __init__(self, *, mail: SmtpMail, sms: HttpSmsGateway) -> None:
        self._mail, self._sms = mail, sms

    def send_sms(self, phone: str, text: str) -> None:
        self._sms.send(phone, text)

    def send_email(self, to: str, subject: str, body: str) -> None:
        self._mail.send(to, subject, body)
