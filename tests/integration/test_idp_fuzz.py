"""Hostile input at the IdP's public endpoints over real HTTP: one IdP under gunicorn, requests
written byte by byte on a socket, so what reaches the app is what a WSGI server hands over
(latin-1 header values, chunked bodies it de-chunks or fails to), not what the Flask test client
builds. Bounded and reproducible (``tests/support/malformed_input.BOUNDED``; a few seconds per
endpoint): no answer is a 5xx, and a protocol endpoint refuses in its own JSON.

The in-process property tests (test_idp_properties.py, esia/test_esia_properties.py) cover the
parameters in depth; this suite covers what only a server shows: the framing of the body
(``Transfer-Encoding: chunked`` with a bad chunk size, a missing terminator, a cut body) and
raw bytes in ``Authorization: Basic``."""

from __future__ import annotations

import base64
import errno
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.malformed_input import BOUNDED, basic_header, header_text, hostile_text
from tests.support.servers import IdpProcess, free_port, start_idp

pytestmark = pytest.mark.e2e

# (method, path, answers in OAuth/ESIA JSON)
ENDPOINTS = [
    ("POST", "/token", True),
    ("POST", "/introspect", True),
    ("POST", "/revoke", True),
    ("POST", "/par", True),
    ("POST", "/userinfo", True),
    ("POST", "/connect/register", True),
    ("POST", "/register", False),
    ("POST", "/aas/oauth2/te", True),
    ("GET", "/authorize", False),
    ("POST", "/authorize", False),
    ("POST", "/aas/oauth2/ac", False),
    ("GET", "/aas/oauth2/ac", False),
]
BAD_CHUNKS = [b"zz\r\nabc\r\n0\r\n\r\n", b"5\r\nab\r\n0\r\n\r\n", b"-1\r\n\r\n", b"3\r\nabc", b"3\r\nabcXX", b"\r\n"]


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdpProcess]:
    root: Path = tmp_path_factory.mktemp("idp-fuzz")
    served = start_idp(root, port=free_port(), rp_base_url="http://127.0.0.1:9", access_log=False)
    yield served
    served.server.stop()
    assert "Traceback" not in served.server.log_text(), served.server.log_tail()


CLOSED_BY_THE_SERVER = 0  # the connection was reset before an answer could be read


def exchange(idp: IdpProcess, head: bytes, body: bytes) -> tuple[int, bytes, bytes]:
    """Send ``head`` (request line and headers, CRLF-terminated) and ``body``; the status,
    the response headers and body."""
    answer = b""
    with socket.create_connection(("127.0.0.1", idp.server.port), timeout=15) as sock:
        try:
            sock.sendall(head + b"\r\n" + body)
            sock.shutdown(socket.SHUT_WR)
            while chunk := sock.recv(65536):
                answer += chunk
        except OSError as exc:
            # gunicorn refused a request it cannot parse and closed before reading the body; the
            # kernel then resets the connection and may drop its 4xx. The app never ran (the
            # server log is checked for tracebacks at the end of the module).
            if exc.errno not in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN):
                raise
    if not answer:
        return CLOSED_BY_THE_SERVER, b"", b""
    status_line, _, rest = answer.partition(b"\r\n")
    headers, _, content = rest.partition(b"\r\n\r\n")
    return int(status_line.split()[1]), headers, content


def request_head(idp: IdpProcess, method: str, path: str, headers: list[tuple[str, bytes]]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1".encode(), f"Host: 127.0.0.1:{idp.server.port}".encode(), b"Connection: close"]
    lines += [name.encode() + b": " + value for name, value in headers]
    return b"\r\n".join(lines) + b"\r\n"


def assert_refused_in_shape(status: int, headers: bytes, content: bytes, *, as_json: bool) -> None:
    """No 5xx; a protocol endpoint's refusal is JSON with an ``error``. gunicorn's own 4xx (a
    request it cannot parse never reaches the app; it has none of the app's headers) stands."""
    assert status < 500, (status, content[:400])
    by_the_server = b"x-content-type-options" not in headers.lower()
    if as_json and status >= 400 and not by_the_server:
        assert b"application/json" in headers.lower(), (status, headers)
        body = json.loads(content)
        assert isinstance(body, dict) and isinstance(body.get("error"), str), body


FORM = [("Content-Type", b"application/x-www-form-urlencoded")]


@pytest.mark.parametrize(("method", "path", "as_json"), ENDPOINTS)
def test_a_malformed_chunked_body_is_a_400(idp: IdpProcess, method: str, path: str, as_json: bool) -> None:
    for chunks in BAD_CHUNKS:
        head = request_head(idp, method, path, [*FORM, ("Transfer-Encoding", b"chunked")])
        status, headers, content = exchange(idp, head, chunks)
        assert status == 400, (chunks, status, content[:300])
        assert_refused_in_shape(status, headers, content, as_json=as_json)


def _chunked(body: bytes, draw: st.DrawFn) -> bytes:
    """``body`` in chunks, then perhaps broken: a wrong size, a bad terminator, a cut."""
    sizes = draw(st.lists(st.integers(1, 64), max_size=4))
    out, rest = b"", body
    for size in sizes:
        part, rest = rest[:size], rest[size:]
        if part:
            out += f"{len(part):x}\r\n".encode() + part + b"\r\n"
    out += (f"{len(rest):x}\r\n".encode() + rest + b"\r\n" if rest else b"") + b"0\r\n\r\n"
    damage = draw(st.sampled_from(["none", "size", "terminator", "cut", "garbage"]))
    if damage == "size":
        out = draw(st.sampled_from([b"zz", b"-1", b"0x10", b"fffffffffffffffffff", b" 3"])) + b"\r\n" + out
    elif damage == "terminator":
        out = out.replace(b"\r\n", b"\n", 1)
    elif damage == "cut":
        out = out[: draw(st.integers(0, max(len(out) - 1, 0)))]
    elif damage == "garbage":
        out += draw(st.binary(max_size=20))
    return out


@st.composite
def hostile_request(draw: st.DrawFn) -> tuple[list[tuple[str, bytes]], bytes]:
    """Form parameters of hostile text, perhaps Basic credentials of any bytes, perhaps a
    bearer token, a body as Content-Length or chunked (perhaps malformed)."""
    names = ["grant_type", "code", "client_id", "client_secret", "token", "redirect_uri", "response_type",
             "scope", "state", "refresh_token", "client_assertion", "request_uri", "access_type"]  # fmt: skip
    params = draw(st.lists(st.tuples(st.sampled_from(names), hostile_text()), max_size=5))
    body = urlencode(params).encode()
    headers = list(FORM)
    auth = draw(st.sampled_from(["none", "basic", "bearer", "raw"]))
    if auth == "basic":
        headers.append(("Authorization", draw(basic_header()).encode("utf-8", "surrogateescape")))
    elif auth == "bearer":
        headers.append(("Authorization", b"Bearer " + draw(header_text()).encode("latin-1")))
    elif auth == "raw":
        raw = draw(st.binary(min_size=1, max_size=40)).replace(b"\r", b"").replace(b"\n", b"")
        headers.append(("Authorization", b"Basic " + raw + b" " + base64.b64encode(raw)))
    if draw(st.booleans()):
        headers.append(("Transfer-Encoding", b"chunked"))
        return headers, _chunked(body, draw)
    headers.append(("Content-Length", str(len(body)).encode()))
    return headers, body


@pytest.mark.parametrize(("method", "path", "as_json"), ENDPOINTS)
@BOUNDED
@given(request=hostile_request())
def test_hostile_requests_are_never_a_server_error(
    idp: IdpProcess, method: str, path: str, as_json: bool, request: tuple[list[tuple[str, bytes]], bytes]
) -> None:
    headers, body = request
    if method == "GET":
        query = body.decode("latin-1") if not any(k == "Transfer-Encoding" for k, _ in headers) else ""
        path = f"{path}?{query}" if query and "\x00" not in query and " " not in query else path
    status, answer_headers, content = exchange(idp, request_head(idp, method, path, headers), body)
    assert_refused_in_shape(status, answer_headers, content, as_json=as_json)
