"""Account levels: standard after the registry confirms SNILS and passport, confirmed by an
in-person code (cards and signatures: tests/integration/factors), the level in the claims."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from idp.storage.unit_of_work import transaction
from simulators import registry
from tests.support.flows import outbox_code, password_step, sms_step
from tests.support.oidc_client import csrf_token
from tests.support.present import present


class InProcessRegistry:
    def __init__(self) -> None:
        self.client = registry.create_app().test_client()

    def check(self, data: dict[str, Any]) -> str:
        from idp.authn.errors import RegistryUnavailable

        resp = self.client.post("/check", json=data)
        if resp.status_code != 200:
            raise RegistryUnavailable()
        return str(resp.get_json()["result"])


@pytest.fixture
def artem(app: Any, personas: dict) -> dict[str, Any]:
    """The simplified persona with a filled-in profile."""
    from idp.accounts.models import Person
    from idp.storage.db import db

    object.__setattr__(app.extensions["gosid"], "registry", InProcessRegistry())
    persona = personas["simplified_account"]
    with app.app_context():
        person = present(db.session.get(Person, persona["oid"]))
        person.birth_date, person.snils = date(1996, 2, 3), "18756395004"
        person.passport_series, person.passport_number = "4610", "123456"
        db.session.commit()
    return persona


def sign_in(client: Any, persona: dict) -> None:
    client.get("/login")
    assert password_step(client, persona["phone"], persona["password"]).status_code == 303
    assert sms_step(client, outbox_code(client, persona["phone"])).status_code == 303


def post(client: Any, path: str, **data: str) -> Any:
    page = client.get("/profile/security/level")
    return client.post(path, data={"csrf_token": csrf_token(page.text), **data})


def level_of(app: Any, oid: int) -> str:
    from idp.accounts.models import Person
    from idp.storage.db import db

    with app.app_context():
        return str(present(db.session.get(Person, oid)).level)


def test_registry_makes_the_account_standard(app: Any, client: Any, artem: dict) -> None:
    sign_in(client, artem)
    resp = post(client, "/profile/security/level/registry")
    assert resp.status_code == 303 and level_of(app, artem["oid"]) == "standard"


@pytest.mark.parametrize(
    ("field", "value", "code", "status"),
    [("passport_number", "123400", "LEVEL-002", 400), ("passport_number", "123499", "LEVEL-003", 400),
     ("passport_number", "123477", "LEVEL-005", 503), ("snils", "18756395904", "LEVEL-004", 400),
     ("snils", None, "LEVEL-001", 400)],
)  # fmt: skip
def test_registry_refusals(app: Any, client: Any, artem: dict, field: str, value: str | None, code: str,
                           status: int) -> None:  # fmt: skip
    from idp.accounts.models import Person
    from idp.storage.db import db

    with app.app_context():
        setattr(db.session.get(Person, artem["oid"]), field, value)
        db.session.commit()
    sign_in(client, artem)
    resp = post(client, "/profile/security/level/registry")
    assert resp.status_code == status and code in resp.text and level_of(app, artem["oid"]) == "simplified"


def test_in_person_code_confirms_once(app: Any, client: Any, personas: dict) -> None:
    from idp.accounts.levels import issue_in_person_code

    irina = personas["patient_standard_spb"]
    with app.app_context(), transaction():
        code = issue_in_person_code(irina["oid"])
    sign_in(client, irina)
    wrong = post(client, "/profile/security/level/code", code="AAAAAAAAAA")
    assert wrong.status_code == 401 and "LEVEL-006" in wrong.text
    assert post(client, "/profile/security/level/code", code=code.lower()).status_code == 303
    assert level_of(app, irina["oid"]) == "confirmed"
    again = post(client, "/profile/security/level/code", code=code)
    assert again.status_code == 401 and "LEVEL-006" in again.text


def test_a_code_is_bound_to_its_person(app: Any, client: Any, personas: dict) -> None:
    from idp.accounts.levels import issue_in_person_code

    with app.app_context(), transaction():
        code = issue_in_person_code(personas["patient_standard_spb"]["oid"])
    sign_in(client, personas["simplified_account"])
    assert post(client, "/profile/security/level/code", code=code).status_code == 401


def test_the_level_is_in_the_claims(app: Any, client: Any, artem: dict, rp_credentials: tuple) -> None:
    from tests.integration.factors.helpers import finish_consent, start
    from tests.support.flows import exchange

    sign_in(client, artem)
    post(client, "/profile/security/level/registry")
    browser = app.test_client()
    req = start(browser)
    password_step(browser, artem["phone"], artem["password"])
    resp = sms_step(browser, outbox_code(browser, artem["phone"]))
    tokens = exchange(browser, rp_credentials, req, finish_consent(browser, req, resp)["code"]).get_json()
    info = browser.get("/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}).get_json()
    assert info["account_level"] == "standard"
