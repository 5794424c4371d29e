"""esia-connector (an existing open-source ESIA library, unmodified) logs a person in at the
stand under gunicorn, exchanges the code (v1, CMS signed by ``openssl smime``), verifies the
ID token with the stand's published key, and reads the person's data from /rs/prns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

from tests.support.http_login import follow_within, login_at_idp
from tests.support.oidc_client import query_of
from tests.support.servers import HTTP_TIMEOUT, IdpProcess
from tests.unit.esia.signers import RsaSigner

pytestmark = pytest.mark.e2e
DRIVER = Path(__file__).with_name("esia_connector_driver.py")
CLIENT_ID = "EGISZ_CONNECTOR"
SCOPE = "openid fullname birthdate gender snils inn id_doc medical_doc contacts addresses"


def _register(idp: IdpProcess, workdir: Path) -> dict[str, str]:
    """`gosid esia-client add` against the running IdP's database, as an integrator would."""
    signer = RsaSigner.create("esia-connector e2e")
    from cryptography.hazmat.primitives import serialization

    cert, key = workdir / "system.crt", workdir / "system.key"
    cert.write_bytes(signer.cert_pem)
    key.write_bytes(
        signer.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
    )
    redirect = "http://localhost:5000/esia/callback"  # never contacted: the test reads the redirect
    result = subprocess.run(
        [sys.executable, "-m", "idp.cli", "esia-client", "add", "--client-id", CLIENT_ID, "--name", "esia-connector",
         "--redirect-uri", redirect, "--scope", SCOPE, "--cert", str(cert)],
        env=idp.server.env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0 or "already registered" in result.stderr, result.stdout + result.stderr
    check_key = workdir / "esia.pub.pem"
    check_key.write_bytes(requests.get(f"{idp.url}/esia/certs/RS256.pub.pem", timeout=HTTP_TIMEOUT).content)
    return {
        "esia_client_id": CLIENT_ID, "redirect_uri": redirect, "certificate_file": str(cert),
        "private_key_file": str(key), "esia_service_url": idp.url, "esia_scope": SCOPE,
        "esia_token_check_key": str(check_key),
    }  # fmt: skip


def _driver(library: Path, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(library)}
    result = subprocess.run(
        [sys.executable, str(DRIVER), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


def test_esia_connector_login_token_and_person_data(
    esia_idp: IdpProcess, esia_connector_path: Path, personas: dict[str, Any], tmp_path: Path
) -> None:
    idp_url = esia_idp.url
    settings = json.dumps(_register(esia_idp, tmp_path))
    url = _driver(esia_connector_path, "auth-url", settings)
    assert url.startswith(f"{idp_url}/aas/oauth2/ac?")
    persona = personas["patient_moscow"]
    browser = requests.Session()
    page = follow_within(browser, browser.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT), idp_url)
    outcome = login_at_idp(browser, page, idp_url=idp_url, phone=persona["phone"], password=persona["password"])
    assert outcome.consent_shown
    back = query_of(urljoin(outcome.response.url, outcome.response.headers["Location"]))
    assert back["code"] and back["state"]
    data = json.loads(_driver(esia_connector_path, "complete", settings, back["code"], back["state"]))
    assert data["oid"] == persona["oid"]
    person = data["person"]
    assert (person["lastName"], person["firstName"]) == (persona["surname"], persona["name"])
    assert person["trusted"] is True and person["birthDate"].count(".") == 2
    assert {c["type"] for c in data["contacts"]["elements"]} == {"MBT", "EML"}
    assert data["addresses"]["elements"][0]["type"] == "PRG"
    assert {d["type"] for d in data["documents"]["elements"]} == {"RF_PASSPORT", "MDCL_PLCY"}
