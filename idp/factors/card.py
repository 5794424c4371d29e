"""Bank card with 3-D Secure: the IdP is the 3DS Requestor / 3DS Server of an EMV 3DS 2 browser
flow with ``messageCategory`` 02 (non-payment: nothing is charged), in dev mode against the
simulated ACS (``simulators.acs``).

Only a ``transStatus`` of Y proves that the person controls the card (A, U, R and N each fail
with their own message). The ACS signs its final result (ES256); the IdP verifies the signature
with the bank's configured public key, that the result answers a transaction it started (once),
and that the holder's name the bank knows is the profile's name. The card must be issued by a
Russian bank: Mir (BIN 2200-2204) or a BIN in ``RUSSIAN_BINS``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import requests
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey
from sqlalchemy import select

from idp.accounts.models import Person
from idp.accounts.transliteration import transliterate
from idp.adapters.store import ShortLivedStore
from idp.audit import log as audit
from idp.authn import errors as e
from idp.authn.origin import Origin
from idp.factors.base import Challenge, FactorResult
from idp.factors.models import EnrolledFactor
from idp.storage.db import db

RUSSIAN_BINS = frozenset({"427600", "427601", "546901", "548601"})  # test data: Visa/MC of Russian banks
FAILURES: dict[str, type[e.LoginError]] = {
    "N": e.CardNotAuthenticated, "A": e.CardAttempted, "U": e.CardUnavailable, "R": e.CardRejected,
}  # fmt: skip


def pan_digest(secret: str, pan: str) -> str:
    """How a card number is stored: keyed (the PAN space is small enough to reverse a plain hash)."""
    return hmac.new(secret.encode(), pan.encode(), hashlib.sha256).hexdigest()


def card_label(pan: str) -> str:
    return ("Мир" if 2200 <= int(pan[:4]) <= 2204 else "Карта") + " •••• " + pan[-4:]


def luhn_valid(pan: str) -> bool:
    if not pan.isdigit() or not 12 <= len(pan) <= 19:
        return False
    total = 0
    for index, char in enumerate(reversed(pan)):
        digit = int(char) * (2 if index % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def russian_bank(pan: str) -> bool:
    return 2200 <= int(pan[:4]) <= 2204 or pan[:6] in RUSSIAN_BINS


def holder_matches(holder: str, person: Person) -> bool:
    """The embossed name (Latin, "MARIIA IVANOVA") against the profile's name and surname."""
    words = {w.casefold() for w in holder.replace("-", " ").split()}
    wanted = [person.name or "", *(person.surname or "").split("-")]
    return all(w and transliterate(w.casefold()) in words for w in wanted)


def b64u_json(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def from_b64u_json(text: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    return data


class AcsTimeout(Exception):
    pass


class AcsClient(Protocol):
    def authenticate(self, areq: dict[str, Any], *, timeout: float) -> dict[str, Any]: ...


class HttpAcsClient:
    """The real twin: AReq over HTTPS to the ACS (via the directory server in real life)."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def authenticate(self, areq: dict[str, Any], *, timeout: float) -> dict[str, Any]:
        try:
            resp = requests.post(f"{self.url}/3ds/areq", json=areq, timeout=timeout)
        except requests.Timeout as exc:
            raise AcsTimeout() from exc
        except requests.RequestException as exc:
            raise e.CardUnavailable() from exc
        if resp.status_code != 200:
            raise e.CardUnavailable()
        data: dict[str, Any] = resp.json()
        return data


@dataclass(frozen=True)
class CheckOutcome:
    """Either a challenge (post ``creq`` to ``acs_url`` in the browser) or a finished check."""

    binding: str
    acs_url: str = ""
    creq: str = ""

    @property
    def challenge(self) -> bool:
        return bool(self.acs_url)


class CardCheck:
    def __init__(
        self, *, store: ShortLivedStore, acs: AcsClient, acs_url: str, public_key_file: Path, secret: str,
        notification_url: str, timeout: float = 5.0, ttl: int = 600,
    ) -> None:  # fmt: skip
        self._store, self.acs, self.acs_url, self._key_file = store, acs, acs_url, public_key_file
        self._secret, self._notification_url, self.timeout, self._ttl = secret.encode(), notification_url, timeout, ttl

    def pan_digest(self, pan: str) -> str:
        return pan_digest(self._secret.decode(), pan)

    def start(self, person: Person, pan: str, *, binding: str, linked_only: bool) -> CheckOutcome:
        pan = "".join(ch for ch in pan if ch.isdigit())
        if not luhn_valid(pan):
            raise e.CardNumberInvalid()
        if not russian_bank(pan):
            raise e.CardNotRussian()
        digest = self.pan_digest(pan)
        if linked_only and not any(f.data.get("pan_digest") == digest for f in linked_cards(person)):
            raise e.CardNotLinked()
        trans_id = str(uuid.uuid4())
        pending = {"binding": binding, "oid": person.oid, "pan_digest": digest, "last4": pan[-4:], "bin": pan[:6]}
        self._store.set(f"3ds:{trans_id}", json.dumps(pending), ttl=self._ttl)
        areq = {
            "messageType": "AReq", "messageVersion": "2.2.0", "messageCategory": "02", "deviceChannel": "02",
            "threeDSServerTransID": trans_id, "threeDSRequestorID": "gosid", "threeDSRequestorName": "Госуслуги",
            "threeDSRequestorAuthenticationInd": "04",  # add card / verify the cardholder
            "acctNumber": pan, "notificationURL": self._notification_url,
        }  # fmt: skip
        try:
            ares = self.acs.authenticate(areq, timeout=self.timeout)
        except AcsTimeout:
            self._store.delete(f"3ds:{trans_id}")
            audit.record("card_check", result="timeout", person_oid=person.oid)
            raise e.CardTimeout() from None
        if ares.get("transStatus") == "C" and ares.get("acsURL"):
            creq = {"threeDSServerTransID": trans_id, "acsTransID": ares.get("acsTransID"), "messageType": "CReq",
                    "messageVersion": "2.2.0", "challengeWindowSize": "05"}  # fmt: skip
            return CheckOutcome(binding=binding, acs_url=str(ares["acsURL"]), creq=b64u_json(creq))
        self.accept(str(ares.get("signedResult", "")), trans_id)
        return CheckOutcome(binding=binding)

    def finish_challenge(self, cres: str) -> str:
        """The CRes the browser brought back; returns the binding of the transaction."""
        try:
            data = from_b64u_json(cres)
        except (ValueError, json.JSONDecodeError):
            raise e.CardResultInvalid() from None
        return self.accept(str(data.get("signedResult", "")), str(data.get("threeDSServerTransID", "")))

    def accept(self, signed: str, trans_id: str) -> str:
        """Verify the bank's signed result for ``trans_id`` (once) and record the outcome for
        its binding; raises the outcome's error (after recording it) when it is not a success."""
        raw = self._store.consume(f"3ds:{trans_id}")
        if raw is None:
            audit.record("card_check", result="unknown_or_replayed")
            raise e.CardResultInvalid()
        pending = json.loads(raw)
        binding = pending["binding"]
        try:
            claims = self._verified(signed, trans_id)
            self._decide(claims, pending)
        except e.LoginError as exc:
            self._store.set(f"card-fail:{binding}", exc.code, ttl=self._ttl)
            audit.record("card_check", result=exc.code, person_oid=pending["oid"])
            raise
        self._store.set(f"card-ok:{binding}", json.dumps(pending), ttl=self._ttl)
        audit.record("card_check", person_oid=pending["oid"], last4=pending["last4"])
        return str(binding)

    def _verified(self, signed: str, trans_id: str) -> dict[str, Any]:
        try:
            key = ECKey.import_key(self._key_file.read_bytes())
            token = jws.deserialize_compact(signed, key, algorithms=["ES256"])
            claims: dict[str, Any] = json.loads(token.payload)
        except (OSError, JoseError, ValueError) as exc:
            raise e.CardResultInvalid() from exc
        if claims.get("threeDSServerTransID") != trans_id or claims.get("messageCategory") != "02":
            raise e.CardResultInvalid()
        if int(claims.get("exp", 0)) < time.time():
            raise e.CardResultInvalid()
        return claims

    def _decide(self, claims: dict[str, Any], pending: dict[str, Any]) -> None:
        status = claims.get("transStatus")
        if status != "Y":
            raise FAILURES.get(str(status), e.CardNotAuthenticated)()
        if claims.get("panLast4") != pending["last4"]:
            raise e.CardResultInvalid()
        person = db.session.get(Person, pending["oid"])
        if person is None or not holder_matches(str(claims.get("cardholderName", "")), person):
            raise e.CardHolderMismatch()

    def outcome(self, binding: str) -> dict[str, Any] | None:
        """A successful check for ``binding``, consumed; raises the recorded failure if any."""
        raw = self._store.consume(f"card-ok:{binding}")
        if raw is not None:
            found: dict[str, Any] = json.loads(raw)
            return found
        failed = self._store.consume(f"card-fail:{binding}")
        if failed is not None:
            raise next((cls for cls in FAILURE_CLASSES if cls.code == failed), e.CardNotAuthenticated)()
        return None


FAILURE_CLASSES = [
    e.CardNotAuthenticated, e.CardAttempted, e.CardUnavailable, e.CardRejected, e.CardTimeout,
    e.CardHolderMismatch, e.CardNotLinked, e.CardResultInvalid,
]  # fmt: skip


def linked_cards(person: Person) -> list[EnrolledFactor]:
    query = select(EnrolledFactor).where(EnrolledFactor.person_oid == person.oid, EnrolledFactor.kind == "card")
    return list(db.session.scalars(query))


class CardFactor:
    name = "card"

    def __init__(self, check: CardCheck) -> None:
        self.check = check

    def available(self, person: Person) -> bool:
        return bool(linked_cards(person))

    def begin(self, tx: Any, person: Person, origin: Origin) -> Challenge:
        return Challenge(factor=self.name, detail={})

    def describe(self, tx: Any, person: Person) -> dict[str, Any]:
        return {"cards": [f.label for f in linked_cards(person)]}

    def verify(self, tx: Any, person: Person, response: str) -> FactorResult:
        found = self.check.outcome(f"login:{tx.id}")
        if found is None or found["oid"] != person.oid:
            raise e.CardNotAuthenticated()
        card = next((f for f in linked_cards(person) if f.data.get("pan_digest") == found["pan_digest"]), None)
        return FactorResult(factor=self.name, amr="card", enrolled_id=card.id if card else None)
