"""TOTP (RFC 6238) from an authenticator app: 6 digits, 30-second steps, ±1 step of clock drift.

The seed is stored encrypted (:mod:`idp.factors.secretbox`) and never logged. A time step that
was accepted once is refused afterwards (ASVS 2.8.4): the first use claims the step in the
short-lived store atomically. Wrong codes are limited per person; limits, replay protection and
audit all live here, not in the views.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyotp
import segno
from sqlalchemy import select

from idp.accounts.models import Person
from idp.adapters.store import ShortLivedStore
from idp.audit import log as audit
from idp.authn.errors import CodeInvalid, CodeReplayed, TooManyAttempts
from idp.authn.origin import Origin
from idp.factors.base import Challenge, FactorResult
from idp.factors.models import EnrolledFactor
from idp.factors.secretbox import SecretBox
from idp.replay.used_values import UsedValues
from idp.security.hashes import constant_time_equals
from idp.storage.db import db

STEP = 30
ISSUER_NAME = "Госуслуги (gosid)"


@dataclass(frozen=True)
class TotpEnrolment:
    """A seed waiting for its first code; shown once as a QR code and as text."""

    secret: str
    uri: str
    qr_svg_data_uri: str


class TotpFactor:
    name = "totp"

    def __init__(
        self,
        *,
        store: ShortLivedStore,
        box: SecretBox,
        used: UsedValues,
        attempts: int = 5,
        attempts_window: int = 300,
        clock: Callable[[], float] = time.time,
        on_replay: Callable[[Person], None] | None = None,
    ) -> None:
        self._on_replay = on_replay
        self._store, self._box, self._used = store, box, used
        self._attempts, self._window = attempts, attempts_window
        self._clock = clock

    # --- enrolment ----------------------------------------------------------------------------

    def new_enrolment(self, person: Person) -> TotpEnrolment:
        return self.enrolment_for(person, pyotp.random_base32(32))  # 160 bits (RFC 4226)

    def enrolment_for(self, person: Person, secret: str) -> TotpEnrolment:
        uri = pyotp.TOTP(secret).provisioning_uri(name=person.phone, issuer_name=ISSUER_NAME)
        qr = segno.make(uri, error="m").svg_data_uri(scale=4)
        return TotpEnrolment(secret=secret, uri=uri, qr_svg_data_uri=qr)

    def confirm_enrolment(self, person: Person, secret: str, code: str, *, label: str) -> EnrolledFactor:
        """Store the seed once the first code from the app matches (and claim its step)."""
        self._limit(person)
        step = self._matching_step(secret, code)
        if step is None:
            audit.record("totp_enrolment", result="wrong", person_oid=person.oid)
            raise CodeInvalid()
        factor = EnrolledFactor(
            person_oid=person.oid, kind="totp", label=label[:100] or "TOTP", secret=self._box.seal(secret)
        )
        db.session.add(factor)
        db.session.flush()
        self._claim(factor.id, step, person)
        audit.record("totp_enrolled", person_oid=person.oid, factor_id=factor.id)
        return factor

    # --- login --------------------------------------------------------------------------------

    def enrolled(self, person: Person) -> list[EnrolledFactor]:
        query = select(EnrolledFactor).where(EnrolledFactor.person_oid == person.oid, EnrolledFactor.kind == "totp")
        return list(db.session.scalars(query))

    def available(self, person: Person) -> bool:
        return bool(self.enrolled(person))

    def begin(self, tx: Any, person: Person, origin: Origin) -> Challenge:
        return Challenge(factor=self.name, detail={})

    def describe(self, tx: Any, person: Person) -> dict[str, Any]:
        return {"apps": [f.label for f in self.enrolled(person)]}

    def verify(self, tx: Any, person: Person, response: str) -> FactorResult:
        self._limit(person)
        for factor in self.enrolled(person):
            step = self._matching_step(self._box.open(factor.secret or ""), response)
            if step is not None:
                self._claim(factor.id, step, person)
                self._store.delete(f"totp-attempts:{person.oid}")
                audit.record("totp_checked", person_oid=person.oid, factor_id=factor.id)
                return FactorResult(factor=self.name, amr="otp", enrolled_id=factor.id)
        audit.record("totp_checked", result="wrong", person_oid=person.oid)
        raise CodeInvalid()

    # --- rules --------------------------------------------------------------------------------

    def _matching_step(self, secret: str, code: str) -> int | None:
        code = code.strip().replace(" ", "")
        if len(code) != 6 or not code.isdigit():
            return None
        totp = pyotp.TOTP(secret)
        now_step = int(self._clock()) // STEP
        found = None
        for step in (now_step - 1, now_step, now_step + 1):  # compare all three: no timing hint
            if constant_time_equals(totp.at(step * STEP), code):
                found = step
        return found

    def _claim(self, factor_id: int, step: int, person: Person) -> None:
        # Kept for longer than the ±1 window, so a step can never be accepted twice.
        # In the database, not the short-lived store: a lost store must not make a step usable again.
        if not self._used.first_use("totp-step", f"{factor_id}:{step}", until=self._used.now() + 4 * STEP):
            audit.record("totp_checked", result="replayed", person_oid=person.oid, factor_id=factor_id)
            if self._on_replay is not None:
                self._on_replay(person)
            raise CodeReplayed()

    def _limit(self, person: Person) -> None:
        used = self._store.incr(f"totp-attempts:{person.oid}", ttl=self._window)
        if used > self._attempts:
            audit.record("totp_checked", result="rate_limited", person_oid=person.oid)
            raise TooManyAttempts(self._store.ttl(f"totp-attempts:{person.oid}") or self._window)
