"""Property tests of the IdP's pages for people — the login, registration and password-reset
forms, the dev outbox, any page with binary headers: a page, a local redirect, or the error
page / the form with its error, never a 5xx and never a redirect to another site."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote_plus, urlencode

from hypothesis import given
from hypothesis import strategies as st

from tests.support.malformed_input import (
    BOUNDED,
    FORM,
    browser_answer,
    header_text,
    hostile_text,
    local_location,
    mutated,
    no_server_error,
)


def _post_form(client: Any, page: str, target: str, fields: list[tuple[str, str]]) -> Any:
    html = client.get(page).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    data = [("csrf_token", token.group(1))] if token else []
    return client.post(target, data=urlencode([*data, *fields]), content_type=FORM)


@BOUNDED
@given(
    fields=mutated({"login": "+79990000001", "password": "x", "captcha": ""}),
    hint=hostile_text(),
    lang=hostile_text(8),
)
def test_login_password_form(client: Any, fields: list[tuple[str, str]], hint: str, lang: str) -> None:
    browser_answer(client.get("/login?" + urlencode({"login_hint": hint, "lang": lang})))
    browser_answer(_post_form(client, "/login", "/login", fields))


@BOUNDED
@given(name=hostile_text(12), fields=mutated({"code": "123456", "factor": "sms", "response": "x"}))
def test_login_factor_forms(client: Any, name: str, fields: list[tuple[str, str]]) -> None:
    safe = quote_plus(name, safe="")
    browser_answer(client.get(f"/login/{safe}"))
    for target in (f"/login/{safe}", f"/login/{safe}/resend", "/login/choose"):
        browser_answer(_post_form(client, "/login", target, fields))
    resp = _post_form(client, "/login", f"/login/{safe}/status", fields)
    no_server_error(resp)


@BOUNDED
@given(
    fields=mutated({"phone": "+79991234567", "email": "a@b.ru", "password": "Aa1!aaaaaa", "password_confirm": "x"}),
    confirm=mutated({"code": "123456", "action": "resend"}),
    profile=mutated({"surname": "Иванов", "name": "Иван", "birthdate": "1990-01-01", "snils": "112-233-445 95",
                     "region_code": "77", "gender": "M"}),
)  # fmt: skip
def test_registration_forms(
    client: Any, fields: list[tuple[str, str]], confirm: list[tuple[str, str]], profile: list[tuple[str, str]]
) -> None:
    browser_answer(_post_form(client, "/register", "/register", fields))
    browser_answer(_post_form(client, "/register", "/register/confirm", confirm))
    browser_answer(_post_form(client, "/register", "/register/profile", profile))


@BOUNDED
@given(
    login=hostile_text(),
    code=mutated({"code": "123456"}),
    new=mutated({"password": "Aa1!aaaaaa", "password_confirm": "Aa1!aaaaaa"}),
)
def test_password_reset_forms(client: Any, login: str, code: list[tuple[str, str]], new: list[tuple[str, str]]) -> None:
    browser_answer(_post_form(client, "/password/reset", "/password/reset", [("login", login)]))
    browser_answer(_post_form(client, "/password/reset", "/password/reset/code", code))
    browser_answer(_post_form(client, "/password/reset", "/password/reset/new", new))
    for page in ("/password/reset/code", "/password/reset/new"):
        browser_answer(client.get(page))


@BOUNDED
@given(to=hostile_text(), accept=st.sampled_from(["application/json", "text/html", "*/*"]))
def test_dev_outbox(client: Any, to: str, accept: str) -> None:
    resp = client.get("/dev/outbox?" + urlencode({"to": to}), headers={"Accept": accept})
    assert resp.status_code == (400 if "\x00" in to else 200)


@BOUNDED
@given(
    path=st.sampled_from(["/", "/login", "/register", "/password/reset", "/profile", "/authorize", "/logout"]),
    headers=st.dictionaries(
        st.sampled_from(["Accept", "Accept-Language", "Cookie", "User-Agent", "X-Forwarded-For", "Referer", "Origin"]),
        header_text(),
        max_size=4,
    ),
)
def test_binary_headers_on_browser_pages(client: Any, path: str, headers: dict[str, str]) -> None:
    resp = client.get(path, headers=headers)
    no_server_error(resp)
    if 300 <= resp.status_code < 400:
        assert local_location(resp.headers["Location"])
