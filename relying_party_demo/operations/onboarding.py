"""The regional steps after a login ("first login"): the OMS policy and the confirmation of the
right to the card, consent to the regional data transfer, confirming a changed address region.
Consents can be revoked later. Every step is a recorded change."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from relying_party_demo import changes, people
from relying_party_demo.access.policy import Decision, pending_requirements, region_problem
from relying_party_demo.access.rules import Requirement, RequirementKind
from relying_party_demo.documents import size_limit
from relying_party_demo.documents.pdf_check import PdfProblem, PdfRefused, check_pdf
from relying_party_demo.errors import InvalidField, NotFound
from relying_party_demo.guard import Caller
from relying_party_demo.medical import records
from relying_party_demo.models import RequirementRecord, UploadedDocument, db
from relying_party_demo.operations.people import SnilsChange, snils_change
from relying_party_demo.services import services

OMS_POLICY = re.compile(r"[0-9]{16}")
SAVE_AGAIN = _l("save the copy again, for example with “Print to PDF”, and attach the new file.")
PDF_MISSING = _l("attach a copy of the OMS policy as a PDF file.")
PDF_REFUSALS: dict[PdfProblem, LazyString] = {
    PdfProblem.NOT_PDF: _l(
        "the attached file is not a PDF document or it is damaged: attach the copy of the OMS policy as a PDF file."
    ),
    PdfProblem.ENCRYPTED: _l("the PDF file is protected with a password: attach a copy without a password."),
    PdfProblem.JAVASCRIPT: _l(
        "the PDF file contains scripts (JavaScript), which this service does not accept: %(next)s", next=SAVE_AGAIN
    ),
    PdfProblem.LAUNCH: _l(
        "the PDF file contains an action that starts a program, which this service does not accept: %(next)s",
        next=SAVE_AGAIN,
    ),
}


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


@dataclass(frozen=True)
class Onboarding:
    """What the person still has to do; ``claimed_oms`` is the OMS policy from the IdP when the
    account level makes it trustworthy (else the person uploads a copy)."""

    region_problem: Decision | None
    pending: list[Requirement]
    claimed_oms: str | None
    snils_change: SnilsChange | None = None  # a changed confirmed SNILS, to confirm first

    @property
    def done(self) -> bool:
        return self.region_problem is None and not self.pending and self.snils_change is None


def status(caller: Caller, claims: dict[str, Any]) -> Onboarding:
    rules = services().rules
    pending = pending_requirements(caller.subject, caller.state, rules)
    claimed = claims.get("oms_policy")
    level = claims.get("account_level")
    trusted = any(
        r.kind is RequirementKind.FIRST_LOGIN_DOCUMENTS and level in r.trusted_account_levels for r in pending
    )
    return Onboarding(
        region_problem=region_problem(caller.subject, caller.state, rules),
        pending=pending,
        claimed_oms=claimed if trusted and isinstance(claimed, str) else None,
        snils_change=snils_change(caller),
    )


def submit_documents(
    caller: Caller, requirement_id: str, *, claimed_oms: str | None, typed_oms: str, pdf: Upload | None, confirmed: bool
) -> None:
    """Record the OMS policy (the claim, or a typed number with its PDF copy) and the person's
    confirmation of their right to the card; the policy must match the patient record's."""
    requirement = _pending(caller, requirement_id, RequirementKind.FIRST_LOGIN_DOCUMENTS)
    if not confirmed:
        raise InvalidField("confirm_right", "confirm that you have the right to this medical card")
    if claimed_oms:
        details: dict[str, Any] = {"oms_source": "medical_doc_claim", "oms_policy": claimed_oms}
    else:
        details = {"oms_source": "uploaded_pdf", **_store_policy_copy(caller, typed_oms, pdf)}
    patient = records.patient_by_snils(caller.snils)
    if patient is not None and patient.oms_policy and patient.oms_policy != details["oms_policy"]:
        db.session.rollback()
        raise InvalidField("oms_policy", "does not match the OMS policy in your medical record")
    _complete(caller, requirement, details, "first_login_documents_given")


def _store_policy_copy(caller: Caller, typed_oms: str, pdf: Upload | None) -> dict[str, Any]:
    number = typed_oms.strip().replace(" ", "")
    if not OMS_POLICY.fullmatch(number):
        raise InvalidField("oms_policy", "must be the 16 digits of the OMS policy")
    if pdf is None or not pdf.content:
        raise InvalidField("policy_pdf", "attach a copy of the OMS policy as a PDF file", message=PDF_MISSING)
    _check_policy_pdf(pdf.content, max_bytes=services().settings.max_upload_bytes)
    digest = hashlib.sha256(pdf.content).hexdigest()
    row = UploadedDocument(
        sub=caller.sub,
        purpose="oms_policy",
        filename=pdf.filename[:200] or "policy.pdf",
        content_type="application/pdf",
        size=len(pdf.content),
        sha256=digest,
        content=pdf.content,
    )
    db.session.add(row)
    db.session.flush()
    return {"oms_policy": number, "document_id": row.id, "sha256": digest}


def _check_policy_pdf(content: bytes, *, max_bytes: int) -> None:
    try:
        check_pdf(content, max_bytes=max_bytes)
    except PdfRefused as exc:
        if exc.problem is PdfProblem.TOO_LARGE:
            limit = size_limit(max_bytes)
            message = _l(
                "the copy of the OMS policy is larger than %(limit)s: attach a PDF file of at most %(limit)s.",
                limit=limit,
            )
        else:
            message = PDF_REFUSALS[exc.problem]
        raise InvalidField("policy_pdf", exc.detail, message=message) from None


def give_consent(caller: Caller, requirement_id: str, *, agreed: bool) -> None:
    requirement = _pending(caller, requirement_id, RequirementKind.DATA_TRANSFER_CONSENT)
    if not agreed:
        raise InvalidField("agree", "tick the box to give your consent, or leave the page")
    _complete(caller, requirement, {}, "data_transfer_consent_given")


def revoke_consent(caller: Caller, record_id: int) -> None:
    record = db.session.get(RequirementRecord, record_id)
    if record is None or record.sub != caller.sub or record.kind != RequirementKind.DATA_TRANSFER_CONSENT.value:
        raise NotFound(f"you have no consent {record_id}")
    _record(caller, "data_transfer_consent_revoked", record.id, {"region": record.region_code})
    if people.revoke(caller.sub, record_id) is None:
        db.session.rollback()
        raise InvalidField("consent", "this consent has already been revoked")


def confirm_region(caller: Caller) -> None:
    """Accept the region the IdP now reports; the new region's requirements then apply."""
    previous, region = caller.state.accepted_region, caller.subject.region
    if region is None or previous == region:
        return
    _record(caller, "region_confirmed", None, {"from": previous, "to": region})
    people.accept_region(caller.sub, region)


def consents(caller: Caller) -> list[RequirementRecord]:
    return [r for r in people.records_of(caller.sub) if r.kind == RequirementKind.DATA_TRANSFER_CONSENT.value]


def _pending(caller: Caller, requirement_id: str, kind: RequirementKind) -> Requirement:
    requirement = services().rules.requirement(requirement_id)
    if requirement is None or requirement.kind is not kind:
        raise NotFound(f"there is no {kind.value} requirement {requirement_id!r}")
    return requirement


def _complete(caller: Caller, requirement: Requirement, details: dict[str, Any], action: str) -> None:
    region = caller.subject.region or ""
    _record(caller, action, None, {"requirement": requirement.id, "region": region})
    people.complete(caller.sub, requirement, region=region, details=details, token_jti=caller.jti)


def _record(caller: Caller, action: str, object_id: int | None, details: dict[str, Any]) -> None:
    """Add the change to the transaction that the step's own commit completes."""
    changes.record(
        actor_sub=caller.sub,
        actor_role=None,
        action=action,
        object_type="person",
        object_id=object_id,
        token_jti=caller.jti,
        details=details,
    )
