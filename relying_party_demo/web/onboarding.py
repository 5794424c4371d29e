""" "First login" (the regional steps after signing in) and the consents page."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from relying_party_demo.errors import InvalidField
from relying_party_demo.operations import onboarding, people
from relying_party_demo.operations.onboarding import Upload
from relying_party_demo.profile import profile_from_claims
from relying_party_demo.redirects import safe_next
from relying_party_demo.web.common import page_caller

bp = Blueprint("web_onboarding", __name__)

AFTER_LOGIN_KEY = "after_login"


@bp.get("/onboarding")
def status() -> str:
    caller, login = page_caller()
    return render_template(
        "onboarding.html",
        status=onboarding.status(caller, login.claims),
        profile=profile_from_claims(login.claims),
        region=caller.subject.region,
        previous_region=caller.state.accepted_region,
        next_page=safe_next(session.get(AFTER_LOGIN_KEY)),
    )


@bp.post("/onboarding/documents")
def documents() -> Response:
    caller, login = page_caller()
    form = request.form
    claimed = onboarding.status(caller, login.claims).claimed_oms if form.get("use_claim") == "yes" else None
    file = request.files.get("policy_pdf")
    upload = Upload(filename=file.filename or "", content=file.read()) if file and file.filename else None
    return _attempt(
        lambda: onboarding.submit_documents(
            caller,
            form.get("requirement_id", ""),
            claimed_oms=claimed,
            typed_oms=form.get("oms_policy", ""),
            pdf=upload,
            confirmed=form.get("confirm_right") == "yes",
        ),
        _("Thank you: your OMS policy and confirmation are recorded."),
    )


@bp.post("/onboarding/consent")
def consent() -> Response:
    caller, _login = page_caller()
    agreed = request.form.get("agree") == "yes"
    requirement_id = request.form.get("requirement_id", "")
    return _attempt(
        lambda: onboarding.give_consent(caller, requirement_id, agreed=agreed), _("Your consent is recorded.")
    )


@bp.post("/onboarding/region")
def confirm_region() -> Response:
    caller, _login = page_caller()
    return _attempt(lambda: onboarding.confirm_region(caller), _("Your new region is confirmed."))


@bp.post("/onboarding/snils")
def confirm_snils() -> Response:
    caller, _login = page_caller()
    return _attempt(lambda: people.confirm_snils(caller), _("Your new SNILS is confirmed."))


@bp.get("/consents")
def consents() -> str:
    caller, _login = page_caller()
    return render_template("consents.html", consents=onboarding.consents(caller))


@bp.post("/consents/<int:record_id>/revoke")
def revoke(record_id: int) -> Response:
    caller, _login = page_caller()
    onboarding.revoke_consent(caller, record_id)
    flash(_("Your consent is revoked. The service will ask for it again before you continue."), "success")
    return redirect(url_for("web_onboarding.consents"), code=303)


def _attempt(step: Callable[[], object], success: str) -> Response:
    try:
        step()
    except InvalidField as exc:
        problem = exc.detail if exc.message is None else exc.message
        flash(_("Not saved: %(problem)s", problem=problem), "error")
    else:
        flash(success, "success")
    return redirect(url_for("web_onboarding.status"), code=303)
