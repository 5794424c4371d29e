"""Small parts of the ESIA dialect: base64 forms, timestamps, scopes, GOST against OpenSSL,
the stand's certificates, person JSON shapes."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from idp.accounts.models import Person
from idp.accounts.verification import record_verification
from idp.crypto.certs import load_certificate
from idp.crypto.encoding import NotBase64, decode_base64_any
from idp.crypto.gost import GostPrivateKey, streebog256
from idp.esia.errors import InvalidScope, MissingScope
from idp.esia.person_data import collection, documents
from idp.esia.scopes import granted_for, parse_requested, token_scope
from idp.esia.stand_keys import StandKeys, rotate
from idp.esia.timestamps import BadTimestamp, parse_timestamp
from tests.support.backends import require
from tests.unit.esia.signers import GostSigner, esia_timestamp, gost_engine_available


def test_base64_forms() -> None:
    assert decode_base64_any("-_8").form == "base64url"
    assert decode_base64_any("-_8=").form == "base64url, padded"
    assert decode_base64_any("+/8=").form == "base64 (+/), padded"
    assert decode_base64_any("+/8 ").data == decode_base64_any("+/8").data
    assert "unencoded" in decode_base64_any("a b8").form  # '+' turned into a space by form decoding
    with pytest.raises(NotBase64):
        decode_base64_any("-+ab")


def test_timestamps_strict_and_lenient() -> None:
    assert parse_timestamp("2015.11.02 09:52:36 +0000", strict=True).note is None
    assert parse_timestamp("2015.11.02 09:52:36  0000", strict=False).note  # '+' lost in the query string
    assert parse_timestamp("2015-11-02T09:52:36+03:00", strict=False).at.hour == 9
    with pytest.raises(BadTimestamp):
        parse_timestamp("2015.11.02 09:52:36  0000", strict=True)
    assert abs(parse_timestamp(esia_timestamp(timedelta(minutes=-10)), strict=True).skew() + 600) < 5


def test_scopes_plain_and_uri_form() -> None:
    assert parse_requested("openid http://esia.gosuslugi.ru/fullname snils?oid=1 snils") == [
        "openid",
        "fullname",
        "snils",
    ]
    with pytest.raises(InvalidScope):
        parse_requested("openid usr_inf2")
    with pytest.raises(MissingScope):
        parse_requested("   ")
    scope = token_scope(["openid", "fullname"], 1000299681)
    assert scope == "openid fullname?oid=1000299681"
    assert granted_for(scope, 1000299681) == {"openid", "fullname"}
    assert granted_for(scope, 42) == {"openid"}


def test_streebog_matches_openssl() -> None:
    require(gost_engine_available(), "OpenSSL's GOST engine (Debian libengine-gost-openssl)")
    out = subprocess.run(
        ["openssl", "dgst", "-engine", "gost", "-md_gost12_256"], input=b"abc", capture_output=True, check=True
    ).stdout.decode()
    assert out.split("= ")[1].strip() == streebog256(b"abc").hex()


def test_gost_keys_interoperate_with_openssl(tmp_path: Path) -> None:
    require(gost_engine_available(), "OpenSSL's GOST engine (Debian libengine-gost-openssl)")
    signer = GostSigner.create()
    cert = load_certificate(signer.cert_pem)
    assert cert.key_algorithm == "gost2012_256" and len(cert.gost_hex) == 64
    assert cert.verify(b"message", signer.raw("message"))
    ours = GostPrivateKey.generate()
    (tmp_path / "key.der").write_bytes(ours.to_pkcs8())
    pem = subprocess.run(
        ["openssl", "pkey", "-engine", "gost", "-inform", "DER", "-in", str(tmp_path / "key.der")],
        capture_output=True,
        check=True,
    ).stdout
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")


def test_stand_certificates_are_valid_for_openssl_and_rotate(tmp_path: Path) -> None:
    keys = StandKeys.load_or_create(tmp_path)
    gost = keys.active("GOST3410_2012_256")
    assert (tmp_path / "esia" / f"{gost.id}.key").stat().st_mode & 0o077 == 0
    if gost_engine_available():
        x509 = ["openssl", "x509", "-engine", "gost", "-inform", "DER"]
        pem = subprocess.run(x509, input=gost.cert_der, capture_output=True, check=True).stdout
        stand = str(tmp_path / "stand.pem")
        (tmp_path / "stand.pem").write_bytes(pem)
        verify = subprocess.run(
            ["openssl", "verify", "-engine", "gost", "-CAfile", stand, stand],
            capture_output=True,
            text=True,
            check=False,
        )
        assert verify.returncode == 0, verify.stderr
    new_id, old_id = rotate(tmp_path, "GOST3410_2012_256", overlap=timedelta(hours=1))
    assert old_id == gost.id and keys.active("GOST3410_2012_256").id == new_id
    assert {k.id for k in keys.verifying("GOST3410_2012_256")} == {new_id, old_id}
    rotate(tmp_path, "GOST3410_2012_256", overlap=None)
    assert len(keys.verifying("GOST3410_2012_256")) == 1


def _person() -> Person:
    person = Person(
        oid=1000299681,
        passport_series="4510",
        passport_number="123456",
        passport_issue_date=date(2015, 3, 1),
        passport_issued_by="ОВД",
        oms_policy="7700000000000001",
        level="confirmed",
    )
    record_verification(person, "registry")
    return person


def test_document_and_collection_shapes() -> None:
    person = _person()
    docs = documents(person, {"id_doc"})
    assert docs[0]["type"] == "RF_PASSPORT" and docs[0]["issueDate"] == "01.03.2015"
    assert docs[0]["vrfStu"] == "VERIFIED" and docs[0]["stateFacts"] == ["Identifiable"]
    person.passport_number = "654321"  # changed since it was verified
    assert documents(person, {"id_doc"})[0]["vrfStu"] == "NOT_VERIFIED"
    listed = collection(docs, base_url="https://esia.example/rs/prns/1/docs")
    assert listed["elements"] == [f"https://esia.example/rs/prns/1/docs/{docs[0]['id']}"] and listed["size"] == 1
