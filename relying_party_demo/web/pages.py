"""Home, the person's data, the inbox and the directory of organizations."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from relying_party_demo import login_sessions
from relying_party_demo.operations import directory, people
from relying_party_demo.profile import format_snils, profile_from_claims
from relying_party_demo.web.common import day, layout, moment, page_caller

bp = Blueprint("web", __name__)


@bp.app_context_processor
def _layout() -> dict[str, Any]:
    return layout()


bp.add_app_template_filter(day, "day")
bp.add_app_template_filter(moment, "moment")
bp.add_app_template_filter(format_snils, "snils")


@bp.get("/")
def home() -> str:
    login = login_sessions.current()
    profile = profile_from_claims(login.claims) if login else None
    return render_template("home.html", profile=profile)


@bp.get("/profile")
def profile() -> str:
    login = login_sessions.require()
    return render_template("profile.html", profile=profile_from_claims(login.claims))


@bp.get("/inbox")
def inbox() -> str:
    caller, _ = page_caller()
    return render_template("inbox.html", **people.read_inbox(caller))


@bp.get("/directory")
def search_directory() -> str:
    caller, _ = page_caller()
    query = request.args.get("q", "")
    found = directory.search(caller, query, region=request.args.get("region") or None)
    return render_template("directory.html", query=query, **found)
