"""Abandoned logins do not grow the session cookie past what a browser keeps.

Every ``/auth/login`` stores its pending state (state, nonce, PKCE verifier) in the signed
session cookie. Browsers drop a cookie over 4 KB, and with it every pending login: without a
bound, ~25 abandoned starts broke login for the hour the states live. Only the newest few
pending logins are kept (several tabs still work); an older one is refused like any unknown
state, and nothing else in the cookie is touched.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask.testing import FlaskClient

from relying_party_demo.testing import FakeIdp
from tests.integration.rp.test_rp_login import finish_login, start_login
from tests.support.rp import on_both_backends

BROWSER_COOKIE_LIMIT = 4096  # bytes of one Set-Cookie a browser keeps (RFC 6265 §6.1 minimum)
ABANDONED = 40
PENDING_LOGINS_KEPT = 3  # relying_party_demo.oauth_client keeps this many


def _session_cookie_headers(response: Any, name: str) -> list[str]:
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]


def _start(client: FlaskClient, name: str) -> tuple[dict[str, str], list[str]]:
    """An abandoned ``/auth/login``: the authorization request and the Set-Cookie it sent."""
    response = client.get("/auth/login")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    request = {"endpoint": f"{location.scheme}://{location.netloc}{location.path}", **query}
    return request, _session_cookie_headers(response, name)


@on_both_backends
def test_forty_abandoned_logins_keep_the_cookie_small_and_the_next_login_works(
    app: Any, client: FlaskClient, idp: FakeIdp
) -> None:
    name = app.config["SESSION_COOKIE_NAME"]
    sizes = []
    for _ in range(ABANDONED):
        _, headers = _start(client, name)
        sizes += [len(h) for h in headers]
    assert max(sizes) < BROWSER_COOKIE_LIMIT, f"the session cookie grew to {max(sizes)} bytes"
    response = finish_login(client, idp, start_login(client))
    assert response.status_code == 303, response.get_data(as_text=True)
    assert all(len(h) < BROWSER_COOKIE_LIMIT for h in _session_cookie_headers(response, name))
    assert client.get("/profile").status_code == 200


@on_both_backends
def test_the_newest_pending_logins_still_complete_and_older_ones_are_refused(
    app: Any, client: FlaskClient, idp: FakeIdp
) -> None:
    name = app.config["SESSION_COOKIE_NAME"]
    started = [_start(client, name)[0] for _ in range(PENDING_LOGINS_KEPT + 2)]
    evicted = finish_login(client, idp, started[0])
    assert evicted.status_code == 400 and "RP-105" in evicted.get_data(as_text=True)
    other_tab = finish_login(client, idp, started[-PENDING_LOGINS_KEPT])
    assert other_tab.status_code == 303, other_tab.get_data(as_text=True)
