"""Open redirects: after a login the browser goes back only to a path on this site, judged as the
browser reads the URL (tab and newline dropped, backslash as slash), at every place that takes a
return address; a bad address is ignored (the default page), never a 5xx or an injected header."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from relying_party_demo.redirects import is_local_path
from relying_party_demo.testing import FakeIdp
from tests.integration.rp.helpers import browser_login
from tests.support.rp import BOTH, Persona

STRONG = "urn:gosid:acr:strong"


def patient(personas: dict[str, Persona]) -> Persona:
    """A confirmed patient registered in region 50, which asks for no first-login steps."""
    return {**personas["patient_moscow"], "region_code": "50"}


# Every value here would take the browser off the site (or inject a header) if it were followed.
OFF_SITE = [
    "/\t/evil.example/",  # the tab is dropped by the browser: //evil.example/
    "/\n/evil.example/",
    "/\r/evil.example/",
    "\t//evil.example/",
    " /\t/evil.example/",
    "/\\evil.example/",  # /\ is read as //
    "\\\\evil.example/",
    "\\/evil.example/",
    "//evil.example/",
    "///evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example/x",
    "/%2F/evil.example/",  # percent-encoded variants, one decode level
    "/%2f/evil.example/",
    "/%5Cevil.example/",
    "/%09/evil.example/",
    "/%0d%0aSet-Cookie:%20x=1",
    "/\r\nSet-Cookie: x=1",  # header injection into Location
    "/\x00/evil.example/",
    "/\x7f",
    "",
]
LOCAL = ["/inbox", "/cards/12", "/directory?q=%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0", "/schedules?days=7", "/a@b"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_off_site_targets_are_not_local_paths(target: str) -> None:
    assert not is_local_path(target)


@pytest.mark.parametrize("target", LOCAL)
def test_paths_on_this_site_are_kept(target: str) -> None:
    assert is_local_path(target)


@pytest.mark.parametrize(
    "target", ["/\t/evil.example/", "/\\evil.example/", "/%2F/evil.example/", "https://evil.example/"]
)
def test_login_never_returns_off_site(
    client: FlaskClient, idp: FakeIdp, personas: dict[str, Persona], target: str
) -> None:
    response = browser_login(client, idp, patient(personas), f"/auth/login?next={quote(target)}")
    assert response.status_code == 303
    assert response.headers["Location"] == "/profile"


@pytest.mark.parametrize("target", ["/\r\nSet-Cookie: x=1", "/\n/evil.example/", "/\r"])
def test_callback_with_a_newline_in_next_goes_home_without_a_5xx(
    client: FlaskClient, idp: FakeIdp, personas: dict[str, Persona], target: str
) -> None:
    response = browser_login(client, idp, patient(personas), f"/auth/login?next={quote(target)}")
    assert response.status_code == 303
    assert response.headers["Location"] == "/profile"
    assert "x=1" not in str(response.headers)


def test_login_returns_to_a_local_page(client: FlaskClient, idp: FakeIdp, personas: dict[str, Persona]) -> None:
    response = browser_login(client, idp, patient(personas), "/auth/login?next=/inbox")
    assert response.headers["Location"] == "/inbox"


@pytest.mark.parametrize("target", ["/\t/evil.example/", "/%5C/evil.example/", "javascript:alert(1)"])
def test_elevate_never_returns_off_site(
    client: FlaskClient, idp: FakeIdp, personas: dict[str, Persona], target: str
) -> None:
    person = patient(personas)
    browser_login(client, idp, person)
    response = browser_login(client, idp, person, f"/auth/elevate?next={quote(target)}")
    assert response.status_code == 303
    assert response.headers["Location"] == "/profile"


@pytest.mark.parametrize("target", ["/\t/evil.example/", "/\\\\evil.example/", "//evil.example/"])
def test_step_up_never_returns_off_site(
    client: FlaskClient, idp: FakeIdp, personas: dict[str, Persona], target: str
) -> None:
    doctor = personas["doctor_moscow"]
    browser_login(client, idp, doctor)
    response = browser_login(client, idp, doctor, f"/auth/step-up?next={quote(target)}", access={"acr": STRONG})
    assert response.status_code == 303
    assert response.headers["Location"] == "/profile"


@pytest.mark.parametrize("rp_backend", BOTH, indirect=True)
def test_step_up_returns_to_the_card(client: FlaskClient, idp: FakeIdp, personas: dict[str, Persona]) -> None:
    doctor = personas["doctor_moscow"]
    browser_login(client, idp, doctor)
    response = browser_login(client, idp, doctor, "/auth/step-up?next=/patients", access={"acr": STRONG})
    assert response.headers["Location"] == "/patients"
