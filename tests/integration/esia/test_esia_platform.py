"""The stand's signing certificates (download, rotation with overlap or cut) and the CLI."""

from __future__ import annotations

import base64
import json
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from cryptography import x509

from idp.cli import main
from tests.integration.esia.esia_flow import EsiaSystem, ac_url, authorize
from tests.unit.esia.signers import RsaSigner


def test_certificates_are_downloadable_like_esias(client: Any, rsa_system: EsiaSystem) -> None:
    listing = client.get("/esia/certs").get_json()
    algs = {c["alg"] for c in listing["certificates"] if c["status"] == "active"}
    assert algs == {"RS256", "GOST3410_2012_256"} and listing["issuer"] == "http://esia.gosuslugi.ru/"
    rsa_cert = client.get("/esia/certs/RS256.cer")
    assert x509.load_der_x509_certificate(rsa_cert.data).public_key()
    assert client.get("/esia/certs/RS256.pub.pem").data.startswith(b"-----BEGIN PUBLIC KEY-----")
    archive = zipfile.ZipFile(BytesIO(client.get("/public/esia.zip").data))
    assert len(archive.namelist()) >= 2


def _token(client: Any, system: EsiaSystem, persona: dict[str, Any]) -> tuple[str, int]:
    back = authorize(client, ac_url("/aas/oauth2/ac", system.ac_v1()), persona)
    body = client.post("/aas/oauth2/te", data=system.te_v1(back["code"])).get_json()
    payload = body["access_token"].split(".")[1]
    oid = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["urn:esia:sbj_id"]
    return body["access_token"], oid


def test_rotation_with_overlap_then_cut(
    client: Any, settings: Any, rsa_system: EsiaSystem, personas: dict[str, Any]
) -> None:
    from datetime import timedelta

    from idp.esia.stand_keys import rotate

    old_token, oid = _token(client, rsa_system, personas["patient_moscow"])
    auth = {"Authorization": f"Bearer {old_token}"}
    new_id, old_id = rotate(settings.keys_dir, "RS256", overlap=timedelta(hours=1))
    assert client.get(f"/rs/prns/{oid}", headers=auth).status_code == 200  # still valid during the overlap
    statuses = {c["id"]: c["status"] for c in client.get("/esia/certs").get_json()["certificates"]}
    assert statuses[new_id] == "active" and statuses[old_id] == "previous"
    rotate(settings.keys_dir, "RS256", overlap=None)  # cut: the previous certificates stop verifying
    assert client.get(f"/rs/prns/{oid}", headers=auth).status_code == 401


def test_cli_esia_client_add_and_rotate_cert(tmp_path: Path) -> None:
    env = {
        "GOSID_DATABASE_URL": f"sqlite:///{tmp_path / 'idp.sqlite3'}",
        "GOSID_VAR_DIR": str(tmp_path / "var"),
        "GOSID_KEYS_DIR": str(tmp_path / "keys"),
    }
    cert = tmp_path / "system.pem"
    cert.write_bytes(RsaSigner.create().cert_pem)
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    args = ["esia-client", "add", "--client-id", "MY_SYSTEM", "--name", "Моя система"]
    args += ["--redirect-uri", "https://svc.example.ru/esia", "--scope", "openid fullname snils", "--cert", str(cert)]
    ok = runner.invoke(main, args, env=env)
    assert ok.exit_code == 0, ok.output
    assert "client_certificate_hash (GOST R 34.11-2012):" in ok.output
    dup = runner.invoke(main, args, env=env)
    assert dup.exit_code != 0 and "already registered" in dup.output
    bad_args = [a if a != "openid fullname snils" else "openid telepathy" for a in args]
    bad = runner.invoke(main, [a if a != "MY_SYSTEM" else "OTHER" for a in bad_args], env=env)
    assert bad.exit_code != 0 and "unknown telepathy" in bad.output
    rotated = runner.invoke(main, ["esia", "rotate-cert", "--alg", "GOST3410_2012_256", "--cut"], env=env)
    assert rotated.exit_code == 0 and "GOST3410_2012_256: new certificate gost-" in rotated.output
    manifest = json.loads((tmp_path / "keys" / "esia" / "certs.json").read_text())
    assert [e["status"] for e in manifest if e["alg"] == "GOST3410_2012_256"] == ["previous", "active"]
