"""The real message adapters, against real local peers: an SMTP server and an HTTP gateway."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from idp.outbox.senders import DeliveryFailed, HttpSmsGateway, SmtpMail


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[_Inbox, int]]:
    inbox = _Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_smtp_delivers_utf8_mail(smtp: tuple[_Inbox, int]) -> None:
    inbox, port = smtp
    SmtpMail(host="127.0.0.1", port=port, sender="no-reply@gosid.local").send("a@example.ru", "Код", "Ваш код 123456")
    assert inbox.messages[0].rcpt_tos == ["a@example.ru"]
    parsed = email.message_from_bytes(inbox.messages[0].content, policy=email.policy.default)
    assert parsed["Subject"] == "Код" and "Ваш код 123456" in parsed.get_content()


def test_smtp_unreachable_is_delivery_failed() -> None:
    with pytest.raises(DeliveryFailed, match="SMTP"):
        SmtpMail(host="127.0.0.1", port=1, sender="x@y.z", timeout=2).send("a@example.ru", "s", "b")


@pytest.fixture
def gateway() -> Iterator[tuple[list[dict[str, Any]], str, list[int]]]:
    received: list[dict[str, Any]] = []
    status = [202]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append({"auth": self.headers.get("Authorization"), **body})
            self.send_response(status[0])
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield received, f"http://127.0.0.1:{server.server_port}/sms", status
    server.shutdown()


def test_http_gateway_posts_json_with_token(gateway: tuple[list[dict[str, Any]], str, list[int]]) -> None:
    received, url, _ = gateway
    HttpSmsGateway(url=url, token="t0k").send("+79990000001", "Код 123456")
    assert received == [{"auth": "Bearer t0k", "to": "+79990000001", "text": "Код 123456"}]


def test_http_gateway_refusal_is_delivery_failed(gateway: tuple[list[dict[str, Any]], str, list[int]]) -> None:
    _, url, status = gateway
    status[0] = 500
    with pytest.raises(DeliveryFailed, match="500"):
        HttpSmsGateway(url=url, token="t").send("+79990000001", "x")


def test_gateway_without_url_is_refused() -> None:
    with pytest.raises(DeliveryFailed, match="GOSID_SMS_GATEWAY_URL"):
        HttpSmsGateway(url="", token="t").send("+79990000001", "x")
