"""The medical card pages: my card, my patients (doctors), one card with its entry form."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from relying_party_demo.access.policy import Action, Reason, Target
from relying_party_demo.errors import InvalidField
from relying_party_demo.guard import authorize, check
from relying_party_demo.medical import records
from relying_party_demo.operations import cards
from relying_party_demo.services import services
from relying_party_demo.web.common import page_caller

bp = Blueprint("web_cards", __name__)

DETAIL_FIELDS = ("test", "value", "unit", "reference", "drug", "dosage", "procedure")


@bp.get("/card")
def my_card() -> Response:
    caller, _login = page_caller()
    patient = cards.own_patient(caller)
    # Without a record the policy refuses with no_medical_record (region, what to do, support).
    authorize(caller, Action.READ_CARD, cards.card_target(patient) if patient else Target())
    assert patient is not None
    return redirect(url_for("web_cards.card", card_id=patient.id))


@bp.get("/patients")
def patients() -> str:
    caller, _login = page_caller()
    return render_template("patients.html", **cards.list_patients(caller))


@bp.get("/cards/<int:card_id>")
def card(card_id: int) -> str:
    caller, _login = page_caller()
    shown = cards.read_card(caller, card_id)
    patient = records.patient_by_id(card_id)
    assert patient is not None
    edit = check(caller, Action.ADD_ENTRY, cards.card_target(patient))
    history = cards.card_changes(caller, card_id)["changes"] if caller.has_role("doctor") else []
    return render_template(
        "card.html",
        card=shown,
        can_edit=edit.allowed,
        needs_edit_scope=edit.reason is Reason.INSUFFICIENT_SCOPE and caller.has_role("doctor"),
        needs_step_up=edit.reason is Reason.STEP_UP_REQUIRED,
        required_acr=services().settings.edit_acr,
        history=history,
    )


@bp.post("/cards/<int:card_id>/entries")
def add_entry(card_id: int) -> Response:
    caller, _login = page_caller()
    form = request.form
    body: dict[str, object] = {name: form.get(name, "") for name in ("kind", "icd10", "text", "occurred_on")}
    details = {name: form[name] for name in DETAIL_FIELDS if form.get(name, "").strip()}
    if details:
        body["details"] = details
    try:
        cards.add_entry(caller, card_id, body)
    except InvalidField as exc:
        flash(_("Entry not saved: %(problem)s", problem=exc.detail), "error")
    else:
        flash(_("Entry saved."), "success")
    return redirect(url_for("web_cards.card", card_id=card_id), code=303)
