"""Every input to the demo RP's public endpoints gets an answer in the endpoint's own shape, never a
5xx: the API answers JSON matching the OpenAPI document's ``Error`` schema (401s with a challenge),
pages answer a page, a redirect to a path on this site (or to the IdP, for a login) or the RP's
error page with its support code and status. Query strings, path ids, form fields, uploads, JSON
bodies and the Authorization/DPoP headers are drawn with control characters, non-ASCII,
backslashes, huge integers and empty values (bounded: the same examples on every run)."""

from __future__ import annotations

import io
import json
import os
import re
from datetime import date, time
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from relying_party_demo.testing import FakeIdp, csrf_token_from
from tests.integration.rp.helpers import browser_login, card_id, start_login
from tests.support import pdfs
from tests.support.malformed_input import BOUNDED, header_text, hostile_text, local_location, no_server_error
from tests.support.rp import BOTH, CU, RS, Persona, TokenFactory

# 40 examples per endpoint group keep the module near 10 s; GOSID_RP_PROPERTY_EXAMPLES=500 explores deeper.
EXAMPLES = settings(BOUNDED, max_examples=int(os.environ.get("GOSID_RP_PROPERTY_EXAMPLES", "40")))

# Inputs that reach the database run on SQLite and PostgreSQL (their integer and text limits differ).
on_both = pytest.mark.parametrize("rp_backend", BOTH, indirect=True)

STRONG = "urn:gosid:acr:strong"
KUZMIN = "20578912380"  # a patient of doctor_moscow's polyclinic
ERROR_PAGE = re.compile(r"(?:Код ошибки|Error code): (RP-\d+) \(HTTP (\d{3})\)")

# --- strategies ---------------------------------------------------------------------------

HUGE_INTS = st.one_of(st.integers(-(2**70), 2**70), st.sampled_from([2**31, 2**63, -(2**63) - 1, 10**20, 0, -1]))
INTS_AS_TEXT = HUGE_INTS.map(str)
# Digits str.isdigit() accepts and int() refuses (superscripts), or reads (Arabic-Indic, full-width).
ODD_DIGITS = st.sampled_from(["²", "³", "①", "١٢٣", "１２", "߀", "𝟗", "0x1A", "1e3", "1_000", " 7 ", "+5", "-0"])
DATES = st.one_of(
    st.dates().map(date.isoformat),
    st.sampled_from(["9999-12-31", "9999-12-01", "0001-01-01", "2026-02-30", "2026-13-01", "20261201", "2026-W01"]),
)
TIMES = st.one_of(st.times().map(time.isoformat), st.sampled_from(["24:00", "23:59:60", "9:00", "09:00Z", "25:61"]))
EDGES = st.sampled_from(["", "\x00", "77\x00", "я\x00", "\\", "\t", "%00"])  # NUL: PostgreSQL text cannot hold it
VALUES = st.one_of(hostile_text(), INTS_AS_TEXT, ODD_DIGITS, DATES, EDGES)


def segment() -> st.SearchStrategy[str]:
    """A path segment where an id (or an organization's OID) goes, percent-encoded as a client sends it."""
    return st.one_of(
        st.integers(0, 60).map(str),  # ids that exist in the seed
        INTS_AS_TEXT,
        st.integers(0, 10**25).map(str),
        hostile_text().map(lambda s: quote(s, safe="")),
    )


def query(*names: str) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Some of ``names`` (perhaps repeated) with hostile values, perhaps an unknown parameter."""
    known = st.lists(st.tuples(st.sampled_from(names), VALUES), max_size=len(names) + 1)
    unknown = st.lists(st.tuples(hostile_text(12), VALUES), max_size=1)
    return st.tuples(known, unknown).map(lambda p: p[0] + p[1])


SCALARS = st.one_of(
    st.none(), st.booleans(), HUGE_INTS, st.floats(allow_nan=True, allow_infinity=True), hostile_text(), st.just("")
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(hostile_text(10), inner, max_size=3)),
    max_leaves=8,
)


VALID_BODIES: dict[str, dict[str, Any]] = {
    "entry": {"kind": "lab_order", "text": "Общий анализ крови", "occurred_on": "2026-11-20",
              "details": {"test": "ОАК"}},
    "diagnosis": {"kind": "diagnosis", "icd10": "J06.9", "text": "ОРВИ"},
    "schedule": {"doctor_id": 1, "day": "2027-01-11", "start": "09:00", "end": "12:00", "slot_minutes": 30},
    "attendance": {"attended": True},
}  # fmt: skip
FIELD_VALUES = st.one_of(JSON_VALUES, VALUES, DATES, TIMES, HUGE_INTS)


@st.composite
def mutated_body(draw: st.DrawFn) -> Any:
    """A valid body of one endpoint with some fields replaced, dropped or added; or any JSON at all."""
    if draw(st.integers(0, 5)) == 0:
        return draw(JSON_VALUES)
    body = dict(VALID_BODIES[draw(st.sampled_from(sorted(VALID_BODIES)))])
    for key in draw(st.lists(st.sampled_from([*body, "details", "icd10", "extra"]), min_size=1, max_size=3)):
        if draw(st.booleans()) or key not in body:
            body[key] = draw(FIELD_VALUES)
        else:
            del body[key]
    return body


BODY = st.one_of(
    mutated_body().map(lambda v: (json.dumps(v).encode(), "application/json")),
    mutated_body().map(lambda v: (json.dumps(v, ensure_ascii=False).encode(), "application/json; charset=utf-8")),
    st.tuples(st.binary(max_size=80), st.sampled_from(["application/json", "text/plain", "", "multipart/form-data"])),
)

AUTHORIZATION = st.one_of(
    header_text(),
    st.tuples(st.sampled_from(["Bearer", "bearer", "DPoP", "Basic", "Bearer  "]), header_text()).map(" ".join),
)

# --- answer shapes ----------------------------------------------------------------------------


@pytest.fixture
def error_schema(client: FlaskClient) -> dict[str, Any]:
    schema: dict[str, Any] = client.get("/api/openapi.json").get_json()["components"]["schemas"]["Error"]
    return schema


def api_answer(resp: Any, schema: dict[str, Any]) -> None:
    """Success, or a JSON error per the OpenAPI ``Error`` schema (a 401 with its challenge)."""
    no_server_error(resp)
    if 300 <= resp.status_code < 400:
        assert local_location(resp.headers["Location"]), resp.headers["Location"]
    if resp.status_code < 400:
        return
    body = resp.get_json(silent=True)
    assert isinstance(body, dict), (resp.status_code, resp.get_data(as_text=True)[:300])
    assert set(schema["required"]) <= set(body), body
    for key, value in body.items():
        assert key in schema["properties"], (key, body)
        assert isinstance(value, str), (key, body)
    if resp.status_code == 401:
        assert resp.headers.get("WWW-Authenticate", "").startswith(("Bearer", "DPoP")), resp.headers


def page_answer(resp: Any, idp: FakeIdp | None = None) -> None:
    """A page, a redirect on this site (or to the IdP), or the RP's error page with its code."""
    no_server_error(resp)
    if 300 <= resp.status_code < 400:
        location = resp.headers["Location"]
        at_idp = idp is not None and location.startswith(f"{idp.issuer}/")
        assert at_idp or local_location(location), location
    elif resp.status_code >= 400:
        assert resp.mimetype == "text/html", (resp.status_code, resp.mimetype)
        found = ERROR_PAGE.search(resp.get_data(as_text=True))
        assert found, resp.get_data(as_text=True)[:500]
        assert int(found.group(2)) == resp.status_code


# --- the people behind the requests -------------------------------------------------------


@pytest.fixture
def doctor(client: FlaskClient, idp: FakeIdp, personas: dict[str, Persona]) -> FlaskClient:
    """A doctor signed in in the browser with edit rights and the strong login edits need."""
    person = personas["doctor_moscow"]
    browser_login(client, idp, person)
    browser_login(client, idp, person, "/auth/elevate", access={"acr": STRONG})
    return client


@pytest.fixture
def csrf(doctor: FlaskClient) -> str:
    return csrf_token_from(doctor.get("/profile").get_data(as_text=True))


@pytest.fixture
def registrar(client: FlaskClient, idp: FakeIdp, personas: dict[str, Persona]) -> FlaskClient:
    """The polyclinic's registrar, signed in with edit rights: manages the schedules."""
    person = personas["registrar_moscow"]
    browser_login(client, idp, person)
    browser_login(client, idp, person, "/auth/elevate", access={"acr": STRONG})
    return client


@pytest.fixture
def spb_patient(client: FlaskClient, idp: FakeIdp, personas: dict[str, Persona]) -> FlaskClient:
    """Signed in as the Saint Petersburg account whose first login asks for the OMS policy PDF."""
    browser_login(client, idp, personas["patient_standard_spb"])
    return client


@pytest.fixture
def doctor_token(token_for: TokenFactory) -> str:
    return token_for("doctor_moscow", f"{RS} {CU}", acr=STRONG)


@pytest.fixture
def registrar_token(token_for: TokenFactory) -> str:
    return token_for("registrar_moscow", f"{RS} {CU}", acr=STRONG)


# --- browser login ---------------------------------------------------------------------------

LOGIN_PATHS = ("/auth/login", "/auth/elevate", "/auth/step-up")


@EXAMPLES
@given(path=st.sampled_from(LOGIN_PATHS), params=query("next", "lang"))
def test_login_starts_never_fail_and_never_leave_the_site(
    doctor: FlaskClient, idp: FakeIdp, path: str, params: list[tuple[str, str]]
) -> None:
    page_answer(doctor.get(path, query_string=params), idp)


@EXAMPLES
@given(params=query("code", "state", "iss", "error", "error_description", "session_state"), start=st.booleans())
def test_callback_never_fails(client: FlaskClient, idp: FakeIdp, params: list[tuple[str, str]], start: bool) -> None:
    if start:
        start_login(client)
    page_answer(client.get("/auth/callback", query_string=params), idp)


@EXAMPLES
@given(next_value=VALUES)
def test_a_completed_login_with_any_next_goes_to_a_page_on_this_site(
    client: FlaskClient, idp: FakeIdp, personas: dict[str, Persona], next_value: str
) -> None:
    person = {**personas["patient_moscow"], "region_code": "50"}
    response = browser_login(client, idp, person, f"/auth/login?next={quote(next_value, safe='')}")
    assert response.status_code == 303
    assert local_location(response.headers["Location"]), response.headers["Location"]


@EXAMPLES
@given(form=query("logout_token"))
def test_backchannel_logout_answers_json_errors(client: FlaskClient, form: list[tuple[str, str]]) -> None:
    response = client.post("/auth/backchannel-logout", data=MultiDict(form))
    no_server_error(response)
    if response.status_code >= 400:
        assert response.get_json()["error"] == "invalid_request"


# --- pages ----------------------------------------------------------------------------------

PAGES = ("/", "/profile", "/inbox", "/directory", "/card", "/patients", "/appointments", "/schedules",
         "/onboarding", "/consents")  # fmt: skip


@on_both
@EXAMPLES
@given(path=st.sampled_from(PAGES), params=query("q", "region", "organization", "lang", "next", "days"))
def test_pages_with_any_query_string(
    doctor: FlaskClient, idp: FakeIdp, path: str, params: list[tuple[str, str]]
) -> None:
    page_answer(doctor.get(path, query_string=params), idp)


@EXAMPLES
@given(path=st.sampled_from(PAGES), cookie=header_text())
def test_pages_with_any_session_cookie(client: FlaskClient, path: str, cookie: str) -> None:
    client.set_cookie("gosid_rp_session", cookie.encode("latin-1").decode("utf-8", "replace"))
    page_answer(client.get(path))


ID_FORMS = ("/cards/{}/entries", "/slots/{}/book", "/slots/{}/withdraw", "/appointments/{}/cancel",
            "/appointments/{}/attendance", "/consents/{}/revoke")  # fmt: skip


@on_both
@EXAMPLES
@given(template=st.sampled_from(("/cards/{}", *ID_FORMS)), ident=segment())
def test_page_ids_of_any_kind(doctor: FlaskClient, csrf: str, template: str, ident: str) -> None:
    path = template.format(ident)
    response = doctor.get(path) if template == "/cards/{}" else doctor.post(path, data={"csrf_token": csrf})
    page_answer(response)


ENTRY_FIELDS = ("kind", "icd10", "text", "occurred_on", "test", "value", "unit", "reference", "drug", "dosage",
                "procedure")  # fmt: skip


@on_both
@EXAMPLES
@given(form=query(*ENTRY_FIELDS), keep_csrf=st.sampled_from([True, True, True, False]))
def test_entry_form_with_any_fields(
    doctor: FlaskClient, app: Flask, csrf: str, form: list[tuple[str, str]], keep_csrf: bool
) -> None:
    data = [*form, ("csrf_token", csrf)] if keep_csrf else form
    page_answer(doctor.post(f"/cards/{card_id(app, KUZMIN)}/entries", data=MultiDict(data)))


SCHEDULE_FORM = {"doctor_id": "1", "day": "2027-01-11", "start": "09:00", "end": "12:00", "slot_minutes": "30"}


@on_both
@EXAMPLES
@given(form=query(*SCHEDULE_FORM, "attended"), keep=st.booleans())
def test_schedule_and_attendance_forms_with_any_fields(
    registrar: FlaskClient, form: list[tuple[str, str]], keep: bool
) -> None:
    token = csrf_token_from(registrar.get("/profile").get_data(as_text=True))
    changed = {name for name, _value in form}
    base = [(k, v) for k, v in SCHEDULE_FORM.items() if keep and k not in changed]
    data = MultiDict([*base, *form, ("csrf_token", token)])
    page_answer(registrar.post("/schedules", data=data))
    page_answer(registrar.post("/appointments/1/attendance", data=data))


ONBOARDING_FIELDS = ("use_claim", "oms_policy", "confirm_right", "agree")
REQUIREMENTS = st.one_of(st.sampled_from(["msk_spb_first_login_documents", "ufd_sibfd_data_transfer_consent"]), VALUES)
FILES = st.one_of(
    st.binary(max_size=200),
    st.sampled_from([pdfs.valid_pdf(), pdfs.truncated_pdf(), pdfs.launch_pdf(), pdfs.encrypted_pdf(), b""]),
)


@on_both
@EXAMPLES
@given(
    path=st.sampled_from(("/onboarding/documents", "/onboarding/consent", "/onboarding/region")),
    requirement=REQUIREMENTS,
    form=query(*ONBOARDING_FIELDS),
    file=st.one_of(st.none(), st.tuples(FILES, hostile_text(20))),
)
def test_onboarding_forms_with_any_fields_and_files(
    spb_patient: FlaskClient,
    path: str,
    requirement: str,
    form: list[tuple[str, str]],
    file: tuple[bytes, str] | None,
) -> None:
    token = csrf_token_from(spb_patient.get("/onboarding").get_data(as_text=True))
    data: dict[str, Any] = {"csrf_token": token, "requirement_id": requirement}
    for name, value in form:
        data[name] = value
    if file is not None:
        data["policy_pdf"] = (io.BytesIO(file[0]), file[1] or "x.pdf")
    page_answer(spb_patient.post(path, data=data))


# --- the API --------------------------------------------------------------------------------

API_READS = ("/api/me", "/api/inbox", "/api/patients", "/api/organizations", "/api/schedules", "/api/appointments")


@EXAMPLES
@given(
    path=st.sampled_from(API_READS),
    authorization=st.one_of(st.none(), AUTHORIZATION),
    proof=st.one_of(st.none(), header_text()),
)
def test_api_with_any_authorization_header(
    client: FlaskClient, error_schema: dict[str, Any], path: str, authorization: str | None, proof: str | None
) -> None:
    headers = {k: v for k, v in (("Authorization", authorization), ("DPoP", proof)) if v is not None}
    api_answer(client.get(path, headers=headers), error_schema)


# Each read with the parameters it documents (and ``access_token``, which the API refuses in a query).
API_QUERIES = st.one_of(
    st.tuples(st.just("/api/organizations"), query("q", "region")),
    st.tuples(st.just("/api/schedules"), query("organization", "doctor", "from", "days")),
    st.tuples(st.sampled_from(API_READS), query("access_token", "lang")),
)


@on_both
@EXAMPLES
@given(request=API_QUERIES)
def test_api_reads_with_any_query_string(
    client: FlaskClient, error_schema: dict[str, Any], doctor_token: str, request: tuple[str, list[tuple[str, str]]]
) -> None:
    path, params = request
    response = client.get(path, query_string=params, headers={"Authorization": f"Bearer {doctor_token}"})
    api_answer(response, error_schema)


def with_nul() -> st.SearchStrategy[str]:
    """Any hostile text with a NUL somewhere in it."""
    return st.tuples(hostile_text(), st.integers(0, 50)).map(lambda p: p[0][: p[1]] + "\x00" + p[0][p[1] :])


NUL_INPUTS = st.one_of(
    st.tuples(st.sampled_from(["/api/organizations", "/directory"]), st.sampled_from(["q", "region"]), with_nul()),
    st.tuples(st.sampled_from(["/api/schedules", "/schedules"]), st.just("organization"), with_nul()),
    st.tuples(st.just("/api/organizations/"), st.just(""), with_nul()),
)


@on_both
@EXAMPLES
@given(target=NUL_INPUTS)
def test_a_nul_in_any_text_parameter(
    doctor: FlaskClient, error_schema: dict[str, Any], doctor_token: str, target: tuple[str, str, str]
) -> None:
    path, name, value = target
    if not name:
        path, params = path + quote(value, safe=""), []
    else:
        params = [(name, value)]
    if path.startswith("/api/"):
        response = doctor.get(path, query_string=params, headers={"Authorization": f"Bearer {doctor_token}"})
        api_answer(response, error_schema)
    else:
        page_answer(doctor.get(path, query_string=params))


API_IDS = (
    ("GET", "/api/cards/{}"), ("GET", "/api/cards/{}/changes"), ("POST", "/api/cards/{}/entries"),
    ("GET", "/api/organizations/{}"), ("DELETE", "/api/slots/{}"), ("POST", "/api/slots/{}/appointment"),
    ("GET", "/api/appointments/{}"), ("POST", "/api/appointments/{}/cancellation"),
    ("POST", "/api/appointments/{}/attendance"),
)  # fmt: skip


@on_both
@EXAMPLES
@given(route=st.sampled_from(API_IDS), ident=segment())
def test_api_ids_of_any_kind(
    client: FlaskClient, error_schema: dict[str, Any], registrar_token: str, route: tuple[str, str], ident: str
) -> None:
    method, template = route
    headers = {"Authorization": f"Bearer {registrar_token}"}
    api_answer(client.open(template.format(ident), method=method, headers=headers, json={}), error_schema)


JSON_ROUTES = ("/api/cards/{card}/entries", "/api/schedules", "/api/appointments/1/attendance")


@on_both
@EXAMPLES
@given(path=st.sampled_from(JSON_ROUTES), body=BODY, who=st.sampled_from(("doctor", "registrar")))
def test_api_json_bodies_of_any_kind(
    client: FlaskClient,
    app: Flask,
    error_schema: dict[str, Any],
    doctor_token: str,
    registrar_token: str,
    path: str,
    body: tuple[bytes, str],
    who: str,
) -> None:
    token = doctor_token if who == "doctor" else registrar_token
    url = path.format(card=card_id(app, KUZMIN))
    response = client.post(url, data=body[0], content_type=body[1], headers={"Authorization": f"Bearer {token}"})
    api_answer(response, error_schema)


@on_both
@EXAMPLES
@given(start=DATES, days=st.one_of(st.none(), st.integers(-2, 70).map(str), VALUES), doctor=st.sampled_from(["", "1"]))
def test_api_schedules_from_any_day(
    client: FlaskClient, error_schema: dict[str, Any], registrar_token: str, start: str, days: str | None, doctor: str
) -> None:
    params = {"from": start, "doctor": doctor, **({"days": days} if days is not None else {})}
    response = client.get("/api/schedules", query_string=params, headers={"Authorization": f"Bearer {registrar_token}"})
    api_answer(response, error_schema)
