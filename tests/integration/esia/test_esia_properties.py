"""The ESIA dialect answers every input in ESIA's shapes, never with a 5xx: a refusal page
before the system and its redirect_uri are validated, a redirect with ``error``, an
``ESIA-0070xx`` description and ``state`` after, and ESIA JSON at the token endpoint and
the person API. Requests are signed correctly over the hostile values, so the checks behind
the signature are reached too."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from hypothesis import given
from hypothesis import strategies as st

from tests.integration.esia.esia_flow import REDIRECT, EsiaSystem, ac_url
from tests.support.malformed_input import (
    BOUNDED,
    SUPPORT_CODE,
    browser_answer,
    header_text,
    hostile_text,
    local_location,
    no_server_error,
    query_params,
)

IMPOSSIBLE = [
    "2026.13.45 25:61:61 +0000",
    "2026.02.30 10:00:00 +0000",
    "2026.01.01 10:00:00 +9999",
    "2026.01.01 10:00:00 -2400",
    "0000.01.01 00:00:00 +0000",
    "2026.00.10 10:00:00 +0000",
    "2025.02.29 10:00:00 +0300",
    "2026.01.01 10:00:00 +0360",
]
ESIA_ERRORS = {
    "invalid_request", "invalid_client", "access_denied", "unauthorized_client", "invalid_scope",
    "unsupported_response_type", "invalid_grant", "unsupported_grant_type",
}  # fmt: skip
API_ERRORS = {"invalid_token", "insufficient_scope", "not_found"}
AC_KEYS = (
    "client_id", "redirect_uri", "scope", "response_type", "state", "timestamp", "access_type",
    "client_certificate_hash", "person_filter", "scope_org", "client_secret", "obj_type",
)  # fmt: skip
TE_KEYS = (
    "client_id", "code", "grant_type", "redirect_uri", "timestamp", "token_type", "scope", "state",
    "client_certificate_hash", "scope_org", "client_secret", "refresh_token",
)  # fmt: skip


def _redirect_error(resp: Any) -> dict[str, str]:
    assert resp.status_code == 302 and resp.headers["Location"].startswith(REDIRECT + "?"), resp.status_code
    return query_params(resp.headers["Location"])


def _esia_json_error(resp: Any) -> dict[str, Any]:
    assert 400 <= resp.status_code < 500, resp.status_code
    body = resp.get_json(silent=True)
    assert isinstance(body, dict) and body.get("error") in ESIA_ERRORS | API_ERRORS, body
    assert str(body.get("error_description", "")).startswith("ESIA-0"), body
    return body


# --- impossible timestamps, one by one --------------------------------------------------------


def test_impossible_timestamp_on_ac_v1(client: Any, rsa_system: EsiaSystem) -> None:
    for timestamp in IMPOSSIBLE:
        params = rsa_system.ac_v1(timestamp=timestamp)
        error = _redirect_error(client.get(ac_url("/aas/oauth2/ac", params)))
        assert error["error"] == "invalid_request" and error["error_description"].startswith("ESIA-007015"), timestamp
        assert error["state"] == params["state"]


def test_impossible_timestamp_on_ac_v2(client: Any, gost_system: EsiaSystem) -> None:
    for timestamp in IMPOSSIBLE[:4]:
        params = gost_system.ac_v2(timestamp=timestamp)
        error = _redirect_error(client.get(ac_url("/aas/oauth2/v2/ac", params)))
        assert error["error_description"].startswith("ESIA-007015") and error["state"] == params["state"], timestamp


def test_impossible_timestamp_on_te_v1(client: Any, rsa_system: EsiaSystem) -> None:
    for timestamp in IMPOSSIBLE:
        params = rsa_system.te_v1("some-code", timestamp=timestamp)
        resp = client.post("/aas/oauth2/te", data=params)
        assert resp.status_code == 400, timestamp
        body = _esia_json_error(resp)
        assert body["error"] == "invalid_request" and body["error_description"].startswith("ESIA-007015")
        assert body["state"] == params["state"]


def test_impossible_timestamp_on_te_v3(client: Any, gost_system: EsiaSystem) -> None:
    for timestamp in IMPOSSIBLE[:4]:
        resp = client.post("/aas/oauth2/v3/te", data=gost_system.te_v3("some-code", timestamp=timestamp))
        assert resp.status_code == 400 and _esia_json_error(resp)["error_description"].startswith("ESIA-007015")


def test_impossible_timestamp_in_strict_mode(client: Any, rsa_system: EsiaSystem, strict_app: Any) -> None:
    params = rsa_system.ac_v1(timestamp="2026.02.30 10:00:00 +0000")
    error = _redirect_error(client.get(ac_url("/aas/oauth2/ac", params)))
    assert error["error_description"].startswith("ESIA-007015")


def test_person_filter_of_any_form_is_read_or_ignored(client: Any, rsa_system: EsiaSystem) -> None:
    for value in ("фильтр", "a\tb", "%%%", "Y29uZl9hY2M"):
        resp = client.get(ac_url("/aas/oauth2/ac", rsa_system.ac_v1(person_filter=value)))
        assert resp.status_code == 302 and local_location(resp.headers["Location"]), value  # on to the login


# --- property tests ---------------------------------------------------------------------------


def _timestamps() -> st.SearchStrategy[str]:
    two = st.integers(0, 99).map("{:02d}".format)
    year, sign = st.integers(0, 9999).map("{:04d}".format), st.sampled_from("+-")
    stamp = st.tuples(year, two, two, two, two, two, sign, two, two)
    shaped = stamp.map(lambda p: f"{p[0]}.{p[1]}.{p[2]} {p[3]}:{p[4]}:{p[5]} {p[6]}{p[7]}{p[8]}")
    return st.one_of(shaped, hostile_text(), st.sampled_from(IMPOSSIBLE))


@st.composite
def _overrides(draw: st.DrawFn, keys: tuple[str, ...]) -> dict[str, str]:
    chosen = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=3, unique=True))
    return {k: draw(_timestamps() if k == "timestamp" else hostile_text()) for k in chosen}


@st.composite
def _tails(draw: st.DrawFn) -> list[tuple[str, str]]:
    """Repeated or unknown parameters appended after signing."""
    return draw(st.lists(st.tuples(st.sampled_from([*AC_KEYS, "x"]), hostile_text(12)), max_size=2))


def _front_answer(resp: Any) -> None:
    """Before the redirect_uri is validated: ESIA's refusal page; after: a redirect with an
    ESIA error and the state, or on to the login / consent / code."""
    no_server_error(resp)
    if 300 <= resp.status_code < 400:
        location = resp.headers["Location"]
        if local_location(location):
            return
        answer = _redirect_error(resp)
        assert "code" in answer or (
            answer["error"] in ESIA_ERRORS and answer["error_description"].startswith("ESIA-0")
        ), answer
    elif resp.status_code >= 400:
        found = SUPPORT_CODE.search(resp.get_data(as_text=True))
        assert found and (found.group(1).startswith("ESIA-0") or found.group(1).startswith("CSRF")), resp.status_code


@BOUNDED
@given(over=_overrides(AC_KEYS), tail=_tails(), post=st.booleans())
def test_ac_v1(client: Any, rsa_system: EsiaSystem, over: dict[str, Any], tail: list[Any], post: bool) -> None:
    query = urlencode([*rsa_system.ac_v1(**over).items(), *tail])
    resp = client.post("/aas/oauth2/ac?" + query) if post else client.get("/aas/oauth2/ac?" + query)
    _front_answer(resp)


@BOUNDED
@given(over=_overrides(AC_KEYS), tail=_tails())
def test_ac_v2(client: Any, gost_system: EsiaSystem, over: dict[str, Any], tail: list[Any]) -> None:
    query = urlencode([*gost_system.ac_v2(**over).items(), *tail])
    _front_answer(client.get("/aas/oauth2/v2/ac?" + query))


def _token_answer(resp: Any) -> None:
    no_server_error(resp)
    if resp.status_code == 200:
        assert resp.get_json()["access_token"]
    else:
        _esia_json_error(resp)


@BOUNDED
@given(over=_overrides(TE_KEYS), tail=_tails())
def test_te_v1(client: Any, rsa_system: EsiaSystem, over: dict[str, str], tail: list[Any]) -> None:
    over = dict(over)
    form = [*rsa_system.te_v1(over.pop("code", "code"), **over).items(), *tail]
    _token_answer(client.post("/aas/oauth2/te", data=urlencode(form), content_type="application/x-www-form-urlencoded"))


@BOUNDED
@given(over=_overrides(TE_KEYS), tail=_tails(), refresh=st.booleans())
def test_te_v3(client: Any, gost_system: EsiaSystem, over: dict[str, str], tail: list[Any], refresh: bool) -> None:
    over = dict(over)
    code = over.pop("code", None if refresh else "code")
    params = gost_system.te_v3(code, refresh=over.pop("refresh_token", "r") if refresh else None, **over)
    form = urlencode([*params.items(), *tail])
    _token_answer(client.post("/aas/oauth2/v3/te", data=form, content_type="application/x-www-form-urlencoded"))


@BOUNDED
@given(
    oid=st.sampled_from(["1000300101", "0", "99999999999999999999999", "-1"]),
    rest=st.sampled_from(["", "/ctts", "/addrs/1", "/docs", "/roles", "/kids", "/orgs/99999999999999999999"])
    | hostile_text(10).map(lambda s: "/" + quote(s, safe="")),
    auth=st.sampled_from(["Bearer ", "Bearer x.y.z", "Basic a", ""]) | header_text().map(lambda s: "Bearer " + s),
    embed=hostile_text(20),
)
def test_person_api(client: Any, oid: str, rest: str, auth: str, embed: str) -> None:
    resp = client.get(f"/rs/prns/{oid}{rest}?" + urlencode({"embed": embed}), headers={"Authorization": auth})
    no_server_error(resp)
    if (resp.status_code == 404 and not resp.is_json) or 300 <= resp.status_code < 400:
        assert resp.status_code == 404 or local_location(resp.headers["Location"])
        return  # no such route: the site's 404 page, or its redirect to the path with merged slashes
    body = _esia_json_error(resp)
    if resp.status_code == 401:
        assert resp.headers["WWW-Authenticate"].startswith("Bearer") and body["error"] == "invalid_token"


@BOUNDED
@given(
    org=st.sampled_from(["1", "99999999999999999999999"]),
    auth=st.sampled_from(["Bearer x.y.z", ""]) | header_text(),
)
def test_organizations_api(client: Any, org: str, auth: str) -> None:
    resp = client.get(f"/rs/orgs/{org}", headers={"Authorization": auth})
    no_server_error(resp)
    _esia_json_error(resp)


@BOUNDED
@given(
    client_id=st.sampled_from(["EGISZ_RSA", ""]) | hostile_text(),
    target=st.sampled_from([REDIRECT, "http://localhost:5000/", "http://evil.example/"]) | hostile_text(),
)
def test_esia_logout(client: Any, rsa_system: EsiaSystem, client_id: str, target: str) -> None:
    resp = client.get("/idp/ext/Logout?" + urlencode({"client_id": client_id, "redirect_url": target}))
    no_server_error(resp)
    if 300 <= resp.status_code < 400:
        assert resp.headers["Location"].startswith("http://localhost:5000/"), resp.headers["Location"]
    elif resp.status_code != 200:
        _front_answer(resp)  # ESIA's refusal page


@BOUNDED
@given(name=hostile_text(20), kind=st.sampled_from(["/esia/certs/", "/esia/diagnostics/"]), ext=st.booleans())
def test_certificates_and_diagnostics(client: Any, name: str, kind: str, ext: bool) -> None:
    path = kind + quote(name, safe="") + (".json" if ext and "diagnostics" in kind else "")
    resp = client.get(path)
    if resp.status_code != 200:
        browser_answer(resp)
