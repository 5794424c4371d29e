"""Qualified electronic signature: second factor, passwordless (strong), level confirmation,
wrong SNILS, one-time challenges, and the refusals each with its message."""

from __future__ import annotations

import base64
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from idp.authn.assurance import ACR_STRONG
from simulators.qes_signer import sign_file
from tests.integration.factors.helpers import choose, finish_consent, id_token_claims, password, start
from tests.support.flows import outbox_code, password_step, sms_step
from tests.support.oidc_client import csrf_token
from tests.support.present import present

REPO = Path(__file__).resolve().parents[3]
CHALLENGE = re.compile(r'id="qes-challenge">([^<]+)<')


@pytest.fixture(scope="session")
def qes_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from simulators import test_ca

    with (REPO / "config" / "personas.toml").open("rb") as fh:
        personas = tomllib.load(fh)["person"]
    return test_ca.ensure(tmp_path_factory.mktemp("qes"), personas)


@pytest.fixture
def qes(app: Any, qes_keys: Path) -> Path:
    factor = app.extensions["gosid"].login.factors.get("qes")
    factor._ca_files, factor._crl_files = [qes_keys / "ca.pem"], [qes_keys / "ca.crl"]
    return qes_keys


def signed(qes: Path, name: str, page: str) -> str:
    challenge = present(CHALLENGE.search(page)).group(1)
    return base64.b64encode(sign_file(qes / name, "gosid-qes", challenge.encode())).decode()


def submit(client: Any, path: str, qes: Path, name: str) -> Any:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return client.post(path, data={"csrf_token": csrf_token(page.text), "response": signed(qes, name, page.text)})


def test_passwordless_login_is_strong(client: Any, qes: Path, rp_credentials: tuple) -> None:
    req = start(client)
    resp = submit(client, "/login/passwordless/signature", qes, "patient_moscow.p12")
    claims = id_token_claims(client, rp_credentials, req, finish_consent(client, req, resp))
    assert claims["acr"] == ACR_STRONG and claims["amr"] == ["pop", "swk", "mfa"]


def test_gost_and_ecdsa_certificates_log_in(client: Any, qes: Path, app: Any) -> None:
    start(client)
    assert submit(client, "/login/passwordless/signature", qes, "registrar_moscow.pem").status_code == 303
    other = app.test_client()
    start(other)
    assert submit(other, "/login/passwordless/signature", qes, "doctor_moscow.p12").status_code == 303


def test_as_a_second_factor(client: Any, qes: Path, personas: dict) -> None:
    start(client)
    password(client, personas["patient_moscow"])
    assert choose(client, "qes").headers["Location"].endswith("/login/qes")
    assert submit(client, "/login/qes", qes, "patient_moscow.p12").headers["Location"].startswith("/authorize?")


def test_another_persons_certificate_is_not_a_second_factor(client: Any, qes: Path, personas: dict) -> None:
    start(client)
    password(client, personas["patient_moscow"])
    choose(client, "qes")
    resp = submit(client, "/login/qes", qes, "patient_moscow-wrong-snils.p12")
    assert resp.status_code == 401 and "LOGIN-066" in resp.text


@pytest.mark.parametrize(
    ("name", "code"),
    [("patient_moscow-expired.p12", "LOGIN-063"), ("patient_moscow-revoked.p12", "LOGIN-064"),
     ("patient_moscow-selfsigned.p12", "LOGIN-062"), ("patient_moscow-no-keyusage.p12", "LOGIN-065"),
     ("patient_moscow-wrong-snils.p12", "LOGIN-067")],
)  # fmt: skip
def test_refusals(client: Any, qes: Path, name: str, code: str) -> None:
    start(client)
    resp = submit(client, "/login/passwordless/signature", qes, name)
    assert resp.status_code == 401 and code in resp.text
    assert client.get("/profile").status_code == 302


def test_tampered_and_replayed_signatures(app: Any, client: Any, qes: Path) -> None:
    start(client)
    page = client.get("/login/passwordless/signature")
    other = base64.b64encode(sign_file(qes / "patient_moscow.p12", "gosid-qes", b"gosid-login:other")).decode()
    resp = client.post("/login/passwordless/signature", data={"csrf_token": csrf_token(page.text), "response": other})
    assert resp.status_code == 401 and "LOGIN-061" in resp.text
    good = signed(qes, "patient_moscow.p12", resp.text)  # the page shows a new challenge
    first = client.post("/login/passwordless/signature", data={"csrf_token": csrf_token(resp.text), "response": good})
    assert first.status_code == 303
    thief = app.test_client()
    start(thief)
    page = thief.get("/login/passwordless/signature")
    replay = thief.post("/login/passwordless/signature", data={"csrf_token": csrf_token(page.text), "response": good})
    assert replay.status_code == 401 and "LOGIN-061" in replay.text  # signed over a used challenge


def test_garbage_is_refused(client: Any, qes: Path) -> None:
    start(client)
    page = client.get("/login/passwordless/signature")
    resp = client.post("/login/passwordless/signature", data={"csrf_token": csrf_token(page.text), "response": "xx"})
    assert resp.status_code == 401 and "LOGIN-060" in resp.text


def test_step_up_offers_the_signature(client: Any, qes: Path, personas: dict) -> None:
    start(client, acr_values=ACR_STRONG)
    assert password(client, personas["patient_moscow"]).headers["Location"].endswith("/login/qes")


def test_signature_confirms_a_standard_account(app: Any, client: Any, qes: Path, personas: dict) -> None:
    from idp.accounts.models import Person
    from idp.storage.db import db

    irina = personas["patient_standard_spb"]
    client.get("/login")
    password_step(client, irina["phone"], irina["password"])
    assert sms_step(client, outbox_code(client, irina["phone"])).status_code == 303
    resp = submit(client, "/profile/security/signature", qes, "patient_standard_spb.p12")
    assert resp.status_code == 303
    with app.app_context():
        person = present(db.session.get(Person, irina["oid"]))
        assert person.level == "confirmed" and person.level_evidence == "qes"


def test_an_expired_challenge_is_refused(app: Any, client: Any, qes: Path) -> None:
    start(client)
    page = client.get("/login/passwordless/signature")
    answer = signed(qes, "patient_moscow.p12", page.text)
    with client.session_transaction() as sess:
        tx_id = sess["login_tx"]
    app.extensions["gosid"].store.delete(f"qes-challenge:{tx_id}")  # what the TTL (5 min) does
    resp = client.post("/login/passwordless/signature", data={"csrf_token": csrf_token(page.text), "response": answer})
    assert resp.status_code == 401 and "LOGIN-011" in resp.text
