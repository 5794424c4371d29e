"""The pages a person sees: home, profile, medical card."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from relying_party_demo import cards, login_sessions
from relying_party_demo.errors import InvalidField, InvalidToken, SessionExpired
from relying_party_demo.forms import ENTRY_KIND_NAMES, EntryForm
from relying_party_demo.guard import require_card_access
from relying_party_demo.models import LoginSession
from relying_party_demo.policy import WRITE_SCOPE, CardAction
from relying_party_demo.profile import profile_from_claims
from relying_party_demo.services import services
from relying_party_demo.tokens import AccessToken

bp = Blueprint("web", __name__)


@bp.app_context_processor
def _layout() -> dict[str, Any]:
    # No database access here: the error page uses this layout too.
    return {
        "logged_in": login_sessions.SESSION_KEY in session,
        "current_locale": str(get_locale() or "ru"),
        "entry_kinds": ENTRY_KIND_NAMES,
    }


@bp.get("/")
def home() -> str:
    login = login_sessions.current()
    profile = profile_from_claims(login.claims) if login else None
    return render_template("home.html", profile=profile)


@bp.get("/profile")
def profile() -> str:
    login = login_sessions.require()
    return render_template("profile.html", profile=profile_from_claims(login.claims))


def _session_token(login: LoginSession) -> AccessToken:
    """The login's access token, re-verified: the card is reached with it, as over the API."""
    try:
        return services().access_tokens.verify(login.access_token)
    except InvalidToken as exc:
        raise SessionExpired(exc.detail) from exc


def _owner_oid(token: AccessToken) -> int:
    if not token.subject.isdigit():
        raise SessionExpired("the login is not a person's")
    return int(token.subject)


def _authorised(action: CardAction) -> tuple[AccessToken, int]:
    """The logged-in person's token and card OID, if the policy allows ``action``."""
    token = _session_token(login_sessions.require())
    oid = _owner_oid(token)
    require_card_access(token, card_oid=oid, action=action)
    return token, oid


@bp.get("/card")
def card() -> str:
    token, oid = _authorised(CardAction.READ)
    return render_template(
        "card.html",
        card=cards.open_card(oid),
        can_edit=WRITE_SCOPE in token.scopes,
        form=EntryForm(),
    )


@bp.post("/card/entries")
def add_entry() -> Response:
    token, oid = _authorised(CardAction.ADD_ENTRY)
    form = EntryForm()
    try:
        entry = cards.parse_entry({"kind": form.kind.data, "icd10": form.icd10.data, "text": form.text.data})
    except InvalidField as exc:
        flash(_("Entry not saved: %(problem)s", problem=exc.detail), "error")
        return redirect(url_for("web.card"), code=303)
    cards.add_entry(cards.open_card(oid), entry, author_sub=token.subject, token_jti=token.jti)
    flash(_("Entry saved."), "success")
    return redirect(url_for("web.card"), code=303)
