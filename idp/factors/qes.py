"""Qualified electronic signature: the IdP shows a one-time challenge, the person signs it
(``gosid sign`` or the in-browser signer; the private key never leaves their computer) and
submits a detached CMS signature. Strong on its own: the certificate names the person by SNILS.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from sqlalchemy import select

from idp.accounts.models import Person
from idp.adapters.store import ShortLivedStore
from idp.audit import log as audit
from idp.authn import errors as e
from idp.authn.origin import Origin
from idp.factors.base import Challenge, FactorResult
from idp.factors.signature_check import SignerCertificate, TrustStore, verify_detached
from idp.security.hashes import new_token
from idp.storage.db import db


def load_trust(ca_files: list[Path], crl_files: list[Path]) -> TrustStore:
    authorities = [x509.load_pem_x509_certificate(p.read_bytes()) for p in ca_files if p.exists()]
    crls = [x509.load_der_x509_crl(p.read_bytes()) for p in crl_files if p.exists()]
    return TrustStore(authorities, crls)


def decode_signature(response: str) -> bytes:
    text = "".join(line for line in response.strip().splitlines() if not line.startswith("-----"))
    try:
        return base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise e.QesMalformed() from exc


class QesFactor:
    name = "qes"

    def __init__(self, *, store: ShortLivedStore, ca_files: list[Path], crl_files: list[Path], ttl: int = 300) -> None:
        self._store, self._ca_files, self._crl_files, self._ttl = store, ca_files, crl_files, ttl

    def trust(self) -> TrustStore:
        # Read on use: the CA and its CRL are files an operator may replace while running.
        return load_trust(self._ca_files, self._crl_files)

    def available(self, person: Person) -> bool:
        return bool(person.snils) and any(p.exists() for p in self._ca_files)

    def begin(self, tx: Any, person: Person | None, origin: Origin) -> Challenge:
        return Challenge(factor=self.name, detail={"challenge": self._new_challenge(tx)})

    def _new_challenge(self, tx: Any) -> str:
        challenge = f"gosid-login:{new_token(24)}:{int(datetime.now(UTC).timestamp())}"
        self._store.set(f"qes-challenge:{tx.id}", challenge, ttl=self._ttl)
        return challenge

    def describe(self, tx: Any, person: Person | None = None) -> dict[str, Any]:
        current = self._store.get(f"qes-challenge:{tx.id}")
        return {"challenge": current or self._new_challenge(tx)}

    def _checked(self, tx: Any, response: str) -> SignerCertificate:
        challenge = self._store.consume(f"qes-challenge:{tx.id}")  # one use, right or wrong
        if challenge is None:
            raise e.CodeExpired()
        try:
            return verify_detached(
                decode_signature(response), challenge.encode(), trust=self.trust(), now=datetime.now(UTC)
            )
        except e.LoginError as exc:
            audit.record("qes_checked", result=exc.code)
            raise

    def verify(self, tx: Any, person: Person, response: str) -> FactorResult:
        signer = self._checked(tx, response)
        if signer.snils != person.snils:
            audit.record("qes_checked", result="wrong_snils", person_oid=person.oid)
            raise e.QesWrongSnils()
        audit.record("qes_checked", person_oid=person.oid, serial=str(signer.serial))
        return FactorResult(factor=self.name, amr="pop")

    def identify(self, tx: Any, response: str) -> tuple[Person, FactorResult]:
        """Passwordless: the certificate's SNILS names the account."""
        signer = self._checked(tx, response)
        person = db.session.scalar(select(Person).where(Person.snils == signer.snils)) if signer.snils else None
        if person is None or person.disabled:
            audit.record("qes_checked", result="no_account")
            raise e.QesNoAccount()
        audit.record("qes_checked", person_oid=person.oid, serial=str(signer.serial))
        return person, FactorResult(factor=self.name, amr="pop")
