"""A scripted person at the IdP, with plain ``requests`` over loopback HTTP (e2e tests and
``bench.run``): password, the SMS code from the dev outbox, consent, the code redirect.

No pytest imports: ``python -m bench.run`` uses this module as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit

import requests

from tests.support.oidc_client import AuthRequest, csrf_token, query_of
from tests.support.servers import HTTP_TIMEOUT, HarnessError, newest_outbox_id, read_sms_code


def same_origin(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def follow_within(session: requests.Session, resp: requests.Response, origin: str) -> requests.Response:
    """Follow redirects by hand while they stay on ``origin``; stop at the first one that leaves."""
    for _ in range(10):
        if not resp.is_redirect:
            return resp
        target = urljoin(resp.url, resp.headers["Location"])
        if not same_origin(target, origin):
            return resp
        resp = session.get(target, allow_redirects=False, timeout=HTTP_TIMEOUT)
    raise HarnessError(f"too many redirects, last at {resp.url}")


def is_consent_page(resp: requests.Response) -> bool:
    return resp.status_code == 200 and 'name="decision"' in resp.text and 'value="allow"' in resp.text


@dataclass
class LoginOutcome:
    """Where a scripted login at the IdP ended: the response that leaves the IdP (or the last page)."""

    response: requests.Response
    consent_shown: bool
    pages: list[str] = field(default_factory=list)


def login_at_idp(
    session: requests.Session, login_page: requests.Response, *, idp_url: str, phone: str,
    password: str, allow_redirects: bool = False,
) -> LoginOutcome:  # fmt: skip
    """From the IdP's password page: password, the SMS code from the outbox, then consent
    (allowed) when asked. With ``allow_redirects=False`` redirects are followed only within the
    IdP, so the returned response is the redirect to the client (the RP is not contacted)."""
    pages = [login_page.url]
    if not (login_page.status_code == 200 and login_page.url.split("?")[0] == f"{idp_url}/login"):
        raise HarnessError(f"expected the IdP login page, got {login_page.status_code} at {login_page.url}")
    before = newest_outbox_id(idp_url, phone)
    resp = _step(session, "post", f"{idp_url}/login", idp_url, allow_redirects, data={
        "csrf_token": csrf_token(login_page.text), "login": phone, "password": password,
    })  # fmt: skip
    pages.append(resp.url)
    if not (resp.status_code == 200 and resp.url == f"{idp_url}/login/sms"):
        raise HarnessError(f"password step: {resp.status_code} at {resp.url}")
    code = read_sms_code(idp_url, phone, after_id=before)
    resp = _step(session, "post", f"{idp_url}/login/sms", idp_url, allow_redirects, data={
        "csrf_token": csrf_token(resp.text), "code": code,
    })  # fmt: skip
    pages.append(resp.url)
    consent_shown = is_consent_page(resp)
    if consent_shown:
        # The consent form posts back to the very /authorize URL it was shown on.
        resp = _step(session, "post", resp.url, idp_url, allow_redirects, data={
            "csrf_token": csrf_token(resp.text), "decision": "allow",
        })  # fmt: skip
        pages.append(resp.url)
    return LoginOutcome(resp, consent_shown, pages)


def _step(
    session: requests.Session, method: str, url: str, idp_url: str, allow_redirects: bool,
    data: dict[str, str],
) -> requests.Response:  # fmt: skip
    resp = session.request(method, url, data=data, allow_redirects=allow_redirects, timeout=HTTP_TIMEOUT)
    if allow_redirects:
        return resp
    return follow_within(session, resp, idp_url)


def basic_auth(client_id: str, client_secret: str) -> tuple[str, str]:
    """RFC 6749 §2.3.1: id and secret are form-urlencoded before HTTP Basic encoding."""
    return quote(client_id, safe=""), quote(client_secret, safe="")


@dataclass
class CodeResult:
    request: AuthRequest
    redirect: str
    params: dict[str, str]
    consent_shown: bool


def authorize_code(
    session: requests.Session, *, authorization_endpoint: str, idp_url: str, client_id: str,
    redirect_uri: str, phone: str, password: str, scope: str = "openid profile",
) -> CodeResult:  # fmt: skip
    """Authorization request (PKCE S256, state, nonce) → login → consent → the code redirect.

    The redirect to ``redirect_uri`` is returned, not followed.
    """
    auth = AuthRequest(client_id=client_id, redirect_uri=redirect_uri, scope=scope)
    resp = session.get(authorization_endpoint, params=auth.params(), allow_redirects=False, timeout=HTTP_TIMEOUT)
    resp = follow_within(session, resp, idp_url)
    if resp.is_redirect:  # already signed in and consented: straight back to the client
        outcome = LoginOutcome(resp, consent_shown=False)
    else:
        outcome = login_at_idp(session, resp, idp_url=idp_url, phone=phone, password=password)
    final = outcome.response
    if final.status_code not in (302, 303):
        raise HarnessError(f"expected a redirect to the client, got {final.status_code} at {final.url}")
    location = urljoin(final.url, final.headers["Location"])
    if location.split("?")[0] != redirect_uri:
        raise HarnessError(f"redirected to {location}, not to {redirect_uri}")
    return CodeResult(auth, location, query_of(location), outcome.consent_shown)
