"""Passkeys (WebAuthn): a second factor after the password, or a passwordless login.

Challenges are single use (consumed from the short-lived store before verification, so a
replayed assertion finds no challenge); a passwordless login and any login that must reach the
strong level require user verification. A signature counter that does not go up means a cloned
authenticator: refused and audited.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from idp.accounts.models import Person
from idp.adapters.store import ShortLivedStore
from idp.audit import log as audit
from idp.authn import assurance as policy
from idp.authn.errors import CodeExpired, PasskeyRejected
from idp.authn.origin import Origin
from idp.factors import webauthn_ceremony as ceremony
from idp.factors.base import Challenge, FactorResult
from idp.factors.models import EnrolledFactor
from idp.storage.db import db, utcnow

LOOPBACK = {"127.0.0.1", "::1", "[::1]", "localhost"}


def relying_party(issuer: str, *, rp_id: str = "", name: str = "Госуслуги (gosid)") -> ceremony.RelyingParty:
    """The RP of this IdP: its host, and its origin. WebAuthn does not allow IP addresses as RP
    ids, so a loopback issuer (127.0.0.1) uses "localhost" and accepts both origins."""
    parts = urlsplit(issuer)
    host = parts.hostname or "localhost"
    origin = f"{parts.scheme}://{parts.netloc}"
    origins = [origin]
    if host in LOOPBACK:
        port = f":{parts.port}" if parts.port else ""
        origins.append(f"{parts.scheme}://localhost{port}")
        host = "localhost"
    return ceremony.RelyingParty(id=rp_id or host, name=name, origins=tuple(dict.fromkeys(origins)))


class PasskeyFactor:
    name = "passkey"

    def __init__(self, *, store: ShortLivedStore, rp: ceremony.RelyingParty, ttl: int = 300) -> None:
        self._store, self.rp, self._ttl = store, rp, ttl

    def credentials(self, person: Person) -> list[EnrolledFactor]:
        query = select(EnrolledFactor).where(EnrolledFactor.person_oid == person.oid, EnrolledFactor.kind == "passkey")
        return list(db.session.scalars(query))

    def available(self, person: Person) -> bool:
        return bool(self.credentials(person))

    # --- registration (security settings) ---------------------------------------------------

    def registration_options(self, person: Person, key: str) -> str:
        options = ceremony.registration_options(
            self.rp,
            user_id=str(person.oid).encode(),
            user_name=person.phone,
            display_name=person.full_name or person.phone,
            exclude=[c.credential_id for c in self.credentials(person) if c.credential_id],
        )
        self._store.set(f"webauthn-reg:{key}", json.dumps({"oid": person.oid, "c": options.challenge}), ttl=self._ttl)
        return options.json

    def register(self, person: Person, key: str, response: str, *, label: str) -> EnrolledFactor:
        raw = self._store.consume(f"webauthn-reg:{key}")
        state = json.loads(raw) if raw else None
        if state is None or state["oid"] != person.oid:
            raise CodeExpired()
        try:
            new = ceremony.check_registration(self.rp, response=response, challenge=state["c"])
        except ceremony.CeremonyFailed as exc:
            audit.record("passkey_registration", result="rejected", person_oid=person.oid, reason=exc.reason)
            raise PasskeyRejected() from exc
        if db.session.scalar(select(EnrolledFactor.id).where(EnrolledFactor.credential_id == new.credential_id)):
            raise PasskeyRejected()
        factor = EnrolledFactor(
            person_oid=person.oid, kind="passkey", label=label[:100] or "Passkey",
            credential_id=new.credential_id, public_key=new.public_key, sign_count=new.sign_count,
            data={"uv": new.user_verified, "transports": new.transports},
        )  # fmt: skip
        db.session.add(factor)
        db.session.flush()
        audit.record("passkey_registered", person_oid=person.oid, factor_id=factor.id)
        return factor

    # --- second factor ------------------------------------------------------------------------

    def _require_uv(self, tx: Any) -> bool:
        return policy.wants_strong(tx.required_acr)

    def begin(self, tx: Any, person: Person, origin: Origin) -> Challenge:
        allow = [c.credential_id for c in self.credentials(person) if c.credential_id]
        options = ceremony.authentication_options(self.rp, allow=allow, require_uv=self._require_uv(tx))
        self._store.set(f"webauthn-auth:{tx.id}", options.challenge, ttl=self._ttl)
        self._store.set(f"webauthn-opts:{tx.id}", options.json, ttl=self._ttl)
        return Challenge(factor=self.name, detail={})

    def describe(self, tx: Any, person: Person) -> dict[str, Any]:
        return {"options": self._store.get(f"webauthn-opts:{tx.id}")}

    def verify(self, tx: Any, person: Person, response: str) -> FactorResult:
        return self._check(tx, response, owner=person, require_uv=self._require_uv(tx))[1]

    # --- passwordless -------------------------------------------------------------------------

    def begin_passwordless(self, tx: Any) -> str:
        options = ceremony.authentication_options(self.rp, allow=[], require_uv=True)
        self._store.set(f"webauthn-auth:{tx.id}", options.challenge, ttl=self._ttl)
        return options.json

    def identify(self, tx: Any, response: str) -> tuple[Person, FactorResult]:
        """Whose passkey answered, verified with user verification required."""
        return self._check(tx, response, owner=None, require_uv=True)

    # --- the check ----------------------------------------------------------------------------

    def _check(self, tx: Any, response: str, *, owner: Person | None, require_uv: bool) -> tuple[Person, FactorResult]:
        challenge = self._store.consume(f"webauthn-auth:{tx.id}")  # single use, even on failure
        self._store.delete(f"webauthn-opts:{tx.id}")
        if challenge is None:
            audit.record("passkey_checked", result="no_challenge", person_oid=owner.oid if owner else None)
            raise CodeExpired()
        credential = self._stored(response, owner)
        person = db.session.get(Person, credential.person_oid)
        if person is None or person.disabled:
            raise PasskeyRejected()
        try:
            found = ceremony.check_assertion(
                self.rp, response=response, challenge=challenge, public_key=credential.public_key or "",
                sign_count=credential.sign_count, require_uv=require_uv,
            )  # fmt: skip
        except ceremony.CeremonyFailed as exc:
            audit.record("passkey_checked", result="rejected", person_oid=person.oid, reason=exc.reason)
            raise PasskeyRejected() from exc
        credential.sign_count = found.new_sign_count
        credential.last_used_at = utcnow()
        audit.record("passkey_checked", person_oid=person.oid, factor_id=credential.id, uv=found.user_verified)
        factor = "passkey_uv" if found.user_verified else "passkey"
        return person, FactorResult(factor=factor, amr="hwk", enrolled_id=credential.id)

    def _stored(self, response: str, owner: Person | None) -> EnrolledFactor:
        try:
            credential_id = ceremony.credential_id_of(response)
        except ceremony.CeremonyFailed as exc:
            raise PasskeyRejected() from exc
        query = select(EnrolledFactor).where(
            EnrolledFactor.credential_id == credential_id, EnrolledFactor.kind == "passkey"
        )
        credential = db.session.scalars(query).first()
        if credential is None or (owner is not None and credential.person_oid != owner.oid):
            audit.record("passkey_checked", result="unknown_credential", person_oid=owner.oid if owner else None)
            raise PasskeyRejected()
        return credential
