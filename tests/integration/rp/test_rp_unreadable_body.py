"""A body gunicorn cannot hand over (``Transfer-Encoding: chunked`` with a bad chunk size, a
missing terminator, a cut body) at the demo RP's form and JSON endpoints: the RP's own 400
(``RP-207``), JSON under /api and the error page elsewhere, never a 500. Requests are written
byte by byte on a socket to the RP under gunicorn: only a real server shows what it does with
such framing (the Flask test client de-chunks nothing)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.servers import GunicornServer, free_port, start_rp

pytestmark = pytest.mark.e2e

# (method, path, answers in JSON); a POST with no token nor session: the body is read first.
ENDPOINTS = [
    ("POST", "/api/schedules", True),
    ("POST", "/api/cards/1/entries", True),
    ("POST", "/slots/1/book", False),
    ("POST", "/auth/logout", False),
    ("POST", "/onboarding/documents", False),
]
BAD_CHUNKS = [b"zz\r\nabc\r\n0\r\n\r\n", b"5\r\nab\r\n0\r\n\r\n", b"-1\r\n\r\n", b"3\r\nabc", b"3\r\nabcXX", b"\r\n"]
CONTENT_TYPES = [b"application/x-www-form-urlencoded", b"application/json", b"multipart/form-data; boundary=x"]


@pytest.fixture(scope="module")
def rp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GunicornServer]:
    root: Path = tmp_path_factory.mktemp("rp-body")
    server = start_rp(root, port=free_port(), idp_url="http://127.0.0.1:9", client_secret="x")
    yield server
    server.stop()
    assert "Traceback" not in server.log_text(), server.log_tail()


def exchange(rp: GunicornServer, method: str, path: str, content_type: bytes, body: bytes) -> tuple[int, bytes, bytes]:
    head = [
        f"{method} {path} HTTP/1.1".encode(),
        f"Host: 127.0.0.1:{rp.port}".encode(),
        b"Connection: close",
        b"Content-Type: " + content_type,
        b"Transfer-Encoding: chunked",
    ]
    with socket.create_connection(("127.0.0.1", rp.port), timeout=15) as sock:
        sock.sendall(b"\r\n".join(head) + b"\r\n\r\n" + body)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    headers, _, content = rest.partition(b"\r\n\r\n")
    return int(status_line.split()[1]), headers.lower(), content


@pytest.mark.parametrize("content_type", CONTENT_TYPES, ids=["form", "json", "multipart"])
@pytest.mark.parametrize(("method", "path", "as_json"), ENDPOINTS)
def test_a_malformed_chunked_body_is_the_rps_400(
    rp: GunicornServer, method: str, path: str, as_json: bool, content_type: bytes
) -> None:
    for chunks in BAD_CHUNKS:
        status, headers, content = exchange(rp, method, path, content_type, chunks)
        assert status == 400, (chunks, status, content[:300])
        assert b"x-content-type-options" in headers, "answered by the app, not by gunicorn"
        if as_json:
            assert b"application/json" in headers, headers
            assert json.loads(content) == {
                "error": "invalid_request",
                "error_description": "the request body could not be read",
            }
        else:
            page = content.decode()
            assert "RP-207" in page, page[:400]
            assert "Не удалось прочитать запрос" in page, page[:400]


def test_a_well_formed_chunked_body_still_reaches_the_view(rp: GunicornServer) -> None:
    """The guard reads the body, the view still gets it: a JSON body in chunks, no token -> 401."""
    body = b'{"kind": "note"}'
    chunks = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    status, headers, content = exchange(rp, "POST", "/api/cards/1/entries", b"application/json", chunks)
    assert status == 401, content[:300]
    assert b"www-authenticate" in headers


@pytest.mark.parametrize(("method", "path", "as_json"), ENDPOINTS)
def test_a_body_cut_short_of_its_content_length_is_a_400(
    rp: GunicornServer, method: str, path: str, as_json: bool
) -> None:
    head = [
        f"{method} {path} HTTP/1.1".encode(),
        f"Host: 127.0.0.1:{rp.port}".encode(),
        b"Connection: close",
        b"Content-Type: application/x-www-form-urlencoded",
        b"Content-Length: 100",
    ]
    with socket.create_connection(("127.0.0.1", rp.port), timeout=15) as sock:
        sock.sendall(b"\r\n".join(head) + b"\r\n\r\ncsrf_token=abc")
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    headers = rest.partition(b"\r\n\r\n")[0].lower()
    # The API checks the bearer token first and never reads this body: its 401 stands.
    assert int(status_line.split()[1]) == (401 if as_json else 400), answer[:400]
    assert b"x-content-type-options" in headers, "answered by the app, not by gunicorn"
    assert (b"application/json" in headers) == as_json, headers
