"""Refusals of the access policy, as errors: each names the region, the reason code, what to do
and the regional support contact (the Gosuslugi article: "the system shows the region code and
advises the local support service"). ``rendering`` shows them like every other error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import LazyString, force_locale
from flask_babel import lazy_gettext as _l

from relying_party_demo.access.policy import Decision, Reason
from relying_party_demo.access.rules import RegionalRules
from relying_party_demo.errors import BearerError, RpError

REASON_TEXT: dict[Reason, tuple[LazyString, LazyString]] = {
    Reason.INSUFFICIENT_SCOPE: (
        _l("You have not granted this service the rights for this action"),
        _l("Allow the service the permission %(scope)s at Gosuslugi: use “Request edit rights” and confirm."),
    ),
    Reason.TWO_FACTOR_REQUIRED: (
        _l("Two-factor authentication is required"),
        _l("Sign in again with your password and a confirmation code (SMS or an authenticator app)."),
    ),
    Reason.REGION_MISSING: (
        _l("Your region of registration is not known"),
        _l("Add your registration address in your Gosuslugi profile, then sign in again."),
    ),
    Reason.REGION_CHANGED: (
        _l("Your region of registration has changed"),
        _l(
            "Your region changed from %(previous_region)s to %(region)s. Check the address in your Gosuslugi "
            "profile, then confirm the new region on the “First login” page of this service."
        ),
    ),
    Reason.ROLE_NOT_ALLOWED: (
        _l("Your role does not allow this action"),
        _l("This action is for another role. If your role at Gosuslugi is wrong, contact your organization."),
    ),
    Reason.NO_MEDICAL_RECORD: (
        _l("No medical record is linked to your account"),
        _l(
            "The service finds your record by SNILS. Confirm your Gosuslugi account with your SNILS and allow "
            "the service to see it, or ask your clinic to register you."
        ),
    ),
    Reason.IDENTITY_NOT_VERIFIED: (
        _l("Your SNILS is not confirmed at Gosuslugi"),
        _l(
            "The service opens a medical record only by a SNILS that Gosuslugi has confirmed, and the SNILS "
            "in your account is not confirmed (a simplified account, or data changed since it was confirmed). "
            "Confirm your account at Gosuslugi: “Security settings” → “Account level” (a check of SNILS and "
            "passport, a bank card or a qualified electronic signature), then sign in here again."
        ),
    ),
    Reason.SNILS_CHANGED: (
        _l("Your SNILS at Gosuslugi has changed"),
        _l(
            "Gosuslugi now gives another confirmed SNILS than the one this service linked to your account. "
            "Check the SNILS in your Gosuslugi profile. If it is right, confirm the change on the “First "
            "login” page of this service: your account is then linked to the medical record of the new SNILS."
        ),
    ),
    Reason.NOT_OWN_RECORD: (
        _l("This is not your medical record"),
        _l("You may only see and change your own medical card and appointments."),
    ),
    Reason.OTHER_ORGANIZATION: (
        _l("This is not in your organization"),
        _l("Doctors and registrars work with the patients and schedules of their own medical organization only."),
    ),
    Reason.NOT_OWN_SCHEDULE: (
        _l("This appointment is not in your schedule"),
        _l("Only the doctor the appointment is with can mark attendance."),
    ),
    Reason.DOCUMENTS_REQUIRED: (
        _l("Your OMS policy is needed first"),
        _l(
            "At the first login in this region the service needs your OMS policy and your confirmation of your "
            "right to the medical card: complete the “First login” page."
        ),
    ),
    Reason.CONSENT_REQUIRED: (
        _l("Consent to data transfer is needed"),
        _l(
            "In this region the service needs your consent to transfer data to the regional health "
            "information system: give it on the “First login” page."
        ),
    ),
    Reason.DOCTOR_CERTIFICATE_MISSING: (
        _l("A regional doctor certificate is required"),
        _l(
            "Access to patients' cards in this region needs a regional doctor certificate issued by the "
            "republic's health ministry. Apply to the ministry; once it is in your Gosuslugi profile, sign in again."
        ),
    ),
    Reason.STEP_UP_REQUIRED: (
        _l("A stronger login is required for this change"),
        _l("Sign in again at Gosuslugi with a stronger method: this change needs the authentication level %(acr)s."),
    ),
}


@dataclass(frozen=True)
class Refusal:
    reason: Reason
    region: str | None
    region_name: str | None
    support_contact: str
    required_scope: str | None = None
    required_acr: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return str(REASON_TEXT[self.reason][0])

    @property
    def what_to_do(self) -> str:
        params = {
            "scope": self.required_scope or "",
            "acr": self.required_acr or "",
            "region": self.region or "—",
            **self.details,
        }
        return str(REASON_TEXT[self.reason][1]) % params

    def json(self) -> dict[str, str]:
        """The refusal for API clients, in English."""
        with force_locale("en"):
            body = {
                "reason": self.reason.value,
                "region": self.region or "",
                "what_to_do": self.what_to_do,
                "support_contact": self.support_contact,
            }
        if self.required_acr:
            body["acr_values"] = self.required_acr
        return body


class AccessRefused(RpError):
    status = 403
    code = "RP-210"
    error = "access_denied"
    title = _l("Access refused")

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(f"refused: {refusal.reason.value}")
        self.refusal = refusal

    def json_body(self) -> dict[str, str]:
        return {**super().json_body(), **self.refusal.json()}


class InsufficientScope(BearerError):
    status = 403
    code = "RP-204"
    error = "insufficient_scope"
    title = _l("You have not granted this service the rights for this action")

    def __init__(self, refusal: Refusal) -> None:
        self.scope = refusal.required_scope or ""
        super().__init__(f"this action needs the scope {self.scope}")
        self.refusal = refusal

    def json_body(self) -> dict[str, str]:
        return {**super().json_body(), "scope": self.scope, **self.refusal.json()}

    def challenge_params(self) -> list[tuple[str, str]]:
        return [("error", self.error), ("scope", self.scope)]


class StepUpRequired(BearerError):
    """RFC 9470: the token's authentication level is too low; the client should step up."""

    status = 401
    code = "RP-211"
    error = "insufficient_user_authentication"
    title = _l("A stronger login is required for this change")

    def __init__(self, refusal: Refusal) -> None:
        self.acr = refusal.required_acr or ""
        super().__init__(f"this change needs the authentication level {self.acr}")
        self.refusal = refusal

    def json_body(self) -> dict[str, str]:
        return {**super().json_body(), **self.refusal.json()}

    def challenge_params(self) -> list[tuple[str, str]]:
        return [*super().challenge_params(), ("acr_values", self.acr)]


def refusal_for(decision: Decision, rules: RegionalRules) -> Refusal:
    assert decision.reason is not None, "an allowed decision is not a refusal"
    region = rules.regions.find(decision.region)
    return Refusal(
        reason=decision.reason,
        region=decision.region,
        region_name=region.name if region else None,
        support_contact=rules.support_contact(decision.region),
        required_scope=decision.required_scope,
        required_acr=decision.required_acr,
        details=decision.details,
    )


def error_for(decision: Decision, rules: RegionalRules) -> RpError:
    """The error that reports a refused decision."""
    refusal = refusal_for(decision, rules)
    if decision.reason is Reason.INSUFFICIENT_SCOPE:
        return InsufficientScope(refusal)
    if decision.reason is Reason.STEP_UP_REQUIRED:
        return StepUpRequired(refusal)
    return AccessRefused(refusal)
