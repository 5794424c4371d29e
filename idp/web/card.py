"""Bank card pages: link a card (security settings) and confirm a login with a linked card.

``/card/3ds/start`` begins the check; a challenge sends the browser to the bank's ACS with a
CReq; the ACS posts the CRes back to ``/card/3ds/notify`` (a cross-site POST: no cookies, so the
transaction is found by its id), which forwards the browser to ``/card/3ds/done`` where its own
session continues the login or the linking.
"""

from __future__ import annotations

import contextlib

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from idp.accounts import levels
from idp.accounts.models import Person
from idp.accounts.notifications import notify_change
from idp.authn.errors import FactorNotAvailable, LoginError
from idp.factors.card import CardCheck, CardFactor, card_label, linked_cards
from idp.factors.models import EnrolledFactor
from idp.services import services
from idp.storage.db import db
from idp.web.current import current_person
from idp.web.login import complete_in_browser, factor_page, load_tx
from idp.web.reauth import needs_reauthentication, recent_login_required

bp = Blueprint("card", __name__)


def _check() -> CardCheck:
    factor = services().login.factors.get("card")
    assert isinstance(factor, CardFactor)
    return factor.check


def _link_page(error: LoginError | None = None) -> ResponseReturnValue:
    return render_template("security_card.html", error=error), error.status if error else 200


@bp.get("/profile/security/card")
@recent_login_required
def link_form() -> ResponseReturnValue:
    return _link_page()


@bp.post("/card/3ds/start")
def start() -> ResponseReturnValue:
    purpose = request.form.get("purpose")
    pan = request.form.get("pan", "")[:40]
    if purpose == "link":
        person = current_person()
        if person is None or needs_reauthentication():
            return redirect(url_for("card.link_form"), 303)
        binding, on_error = f"link:{person.oid}", _link_page
    else:
        tx = load_tx()
        if "card" not in services().login.options(tx):
            raise FactorNotAvailable()
        person = services().login.person_of(tx)
        binding = f"login:{tx.id}"

        def on_error(error: LoginError | None = None) -> ResponseReturnValue:
            return factor_page(tx, "card", error=error)

    session["card_binding"] = binding
    try:
        outcome = _check().start(person, pan, binding=binding, linked_only=purpose != "link")
    except LoginError as exc:
        return on_error(exc)
    if outcome.challenge:
        return render_template("card_redirect.html", acs_url=outcome.acs_url, creq=outcome.creq)
    return redirect(url_for("card.done"), 303)


@bp.post("/card/3ds/notify")
def notify() -> ResponseReturnValue:
    """The ACS's CRes, posted by the browser from the bank's page."""
    with contextlib.suppress(LoginError):  # a failure is recorded for the binding; /card/3ds/done shows it
        _check().finish_challenge(request.form.get("cres", ""))
    return render_template("card_return.html")


@bp.get("/card/3ds/done")
def done() -> ResponseReturnValue:
    binding = session.pop("card_binding", "")
    if binding.startswith("link:"):
        return _finish_link(binding)
    tx = load_tx()
    if binding != f"login:{tx.id}":
        raise FactorNotAvailable()
    try:
        finished = services().login.verify(tx, "card", "")
    except LoginError as exc:
        return factor_page(tx, "card", error=exc)
    return complete_in_browser(finished)


def _finish_link(binding: str) -> ResponseReturnValue:
    person = current_person()
    if person is None or binding != f"link:{person.oid}":
        return redirect(url_for("login.password_form"), 303)
    try:
        found = _check().outcome(binding)
    except LoginError as exc:
        return _link_page(exc)
    if found is None:
        return redirect(url_for("card.link_form"), 303)
    _link(person, found)
    session["security_notice"] = "card_added"
    return redirect(url_for("security.overview"), 303)


def _link(person: Person, found: dict[str, str]) -> None:
    if not any(f.data.get("pan_digest") == found["pan_digest"] for f in linked_cards(person)):
        label = card_label(found["bin"] + "000000" + found["last4"])
        db.session.add(
            EnrolledFactor(person_oid=person.oid, kind="card", label=label,
                           data={"pan_digest": found["pan_digest"], "last4": found["last4"], "bin": found["bin"]})
        )  # fmt: skip
        notify_change(services().sender, person, "factor_added", url=url_for("security.overview", _external=True))
    levels.confirm(person, "card")
