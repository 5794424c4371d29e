"""Hostile input for property-based tests: control characters, non-ASCII, quotes, backslashes,
percent-encoding errors, very long values, repeated and unknown parameters, binary header
values. Plus the answer shapes every endpoint must keep: no 5xx, and its documented error.
"""

from __future__ import annotations

import base64
import os
import re
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlsplit

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.support.flows import RP_REDIRECT
from tests.support.oidc_client import AuthRequest

# Bounded and reproducible: the same examples on every run, at any hour, on any machine.
# GOSID_FUZZ_EXAMPLES=500 explores instead: that many fresh random examples per test.
_EXPLORE = int(os.environ.get("GOSID_FUZZ_EXAMPLES", "0"))
BOUNDED = settings(
    max_examples=_EXPLORE or 40,
    deadline=None,
    derandomize=not _EXPLORE,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

PIECES = (
    "\\", "\t", "\r\n", "\n", "\r", '"', "'", "`", "\x00", "\x01", "\x1b", "\x7f", "\x85", "\u00a0", "я", "Ё",
    "€", "😀", "\u202e", "\ufeff", "\u0301", "%", "%zz", "%ff", "%00", "%C0%AF", "+", "&", "=", "#", "?", ";",
    " ", ",", "<script>", "../", "//evil.example", "{", "}", "[]", "null", "0", "-1", "99999999999999999999",
)  # fmt: skip
LONG = st.sampled_from(["a" * 5000, "я" * 3000, "\\" * 4000, "%" * 4000, "a b " * 1500])


def hostile_text(max_size: int = 40) -> st.SearchStrategy[str]:
    piece = st.one_of(st.sampled_from(PIECES), st.text(max_size=6))
    return st.one_of(
        st.lists(piece, min_size=1, max_size=6).map("".join),
        st.text(max_size=max_size),
        LONG,
    )


def header_text() -> st.SearchStrategy[str]:
    """Any byte a client can put in a header value (WSGI hands them over as latin-1)."""
    raw = st.binary(max_size=60).map(lambda b: b.decode("latin-1"))
    texty = hostile_text().map(lambda s: s.encode("utf-8", "replace").decode("latin-1"))
    return st.one_of(raw, texty).map(lambda s: s.replace("\r", "").replace("\n", ""))


def basic_header() -> st.SearchStrategy[str]:
    """``Basic`` credentials that are not base64, not UTF-8, have no colon or bad percent-escapes."""
    encoded = st.one_of(st.binary(max_size=40), hostile_text().map(lambda s: s.encode("utf-8"))).map(
        lambda b: base64.b64encode(b).decode()
    )
    colon = st.tuples(hostile_text(), hostile_text()).map(
        lambda p: base64.b64encode(f"{p[0]}:{p[1]}".encode()).decode()
    )
    token = st.one_of(encoded, colon, header_text(), st.sampled_from(["", " ", "====", "!!!", "é"]))
    scheme = st.sampled_from(["Basic", "basic", "BASIC", "Basic "])
    return st.tuples(scheme, token).map(lambda p: f"{p[0]} {p[1]}")


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, str], extra: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """``base`` with some parameters replaced, dropped or repeated, and perhaps an unknown one."""
    items = list(base.items())
    keys = [*base, *extra]
    for key in draw(st.lists(st.sampled_from(keys), max_size=3, unique=True)):
        action = draw(st.sampled_from(("replace", "replace", "drop", "repeat")))
        value = draw(hostile_text())
        if action == "drop":
            items = [(k, v) for k, v in items if k != key]
        elif action == "repeat":
            items.append((key, value))
        else:
            items = [(k, v) for k, v in items if k != key] + [(key, value)]
    if draw(st.integers(0, 4)) == 0:
        items.append((draw(hostile_text(12)), draw(hostile_text(12))))
    return items


# --- requests to start from ----------------------------------------------------------------

DEMO_CREDS = ("egisz-demo", "demo-client-secret-for-tests")
FORM = "application/x-www-form-urlencoded"


def auth_params() -> dict[str, str]:
    """A valid authorization request of the demo client."""
    return AuthRequest(client_id="egisz-demo", redirect_uri=RP_REDIRECT, scope="openid profile").params()


def basic_auth(client_id: str, secret: str) -> str:
    """RFC 6749 §2.3.1: id and secret form-urlencoded, then ``Basic`` base64."""
    return "Basic " + base64.b64encode(f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()).decode()


# --- answer shapes -------------------------------------------------------------------------

SUPPORT_CODE = re.compile(r"Код ошибки для службы поддержки: <b>([^<]+)</b>")
# RFC 6749 §4.1.2.1 / §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E.
DESCRIPTION_CHARSET = re.compile(r"^[\x20\x21\x23-\x5b\x5d-\x7e]*$")


def no_server_error(resp: Any) -> None:
    assert resp.status_code < 500, (resp.status_code, resp.get_data(as_text=True)[:500])


def error_page(resp: Any) -> str:
    """The HTML error page with a support code; returns the code."""
    assert 400 <= resp.status_code < 500 and "Location" not in resp.headers, resp.status_code
    assert resp.mimetype == "text/html", resp.mimetype
    found = SUPPORT_CODE.search(resp.get_data(as_text=True))
    assert found, resp.get_data(as_text=True)[:500]
    return found.group(1)


def oauth_json_error(resp: Any, codes: set[str]) -> dict[str, Any]:
    """An OAuth JSON error (RFC 6749 §5.2) with one of ``codes`` and a conforming description."""
    assert 400 <= resp.status_code < 500, resp.status_code
    body = resp.get_json(silent=True)
    assert isinstance(body, dict) and body.get("error") in codes, (resp.status_code, resp.get_data(as_text=True))
    assert DESCRIPTION_CHARSET.match(str(body.get("error_description", ""))), body
    return body


def query_params(location: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(location).query, keep_blank_values=True))


def local_location(location: str) -> bool:
    """A path on this site (the test client's host is ``localhost``): never another host,
    never a scheme-relative ``//host``."""
    parts = urlsplit(location)
    if parts.scheme or parts.netloc:
        return parts.scheme == "http" and parts.netloc == "localhost"
    return location.startswith("/") and not location.startswith("//")


def browser_answer(resp: Any) -> None:
    """A page for a person: a page, a local redirect, the error page or the form with its error."""
    no_server_error(resp)
    if 300 <= resp.status_code < 400:
        assert local_location(resp.headers["Location"]), resp.headers["Location"]
    elif resp.status_code >= 400:
        text = resp.get_data(as_text=True)
        assert resp.mimetype in ("text/html", "application/json"), resp.mimetype
        assert SUPPORT_CODE.search(text) or 'role="alert"' in text or resp.is_json, text[:500]
