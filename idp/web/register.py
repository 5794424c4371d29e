"""Registration pages: contacts and password → SMS code → profile."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from idp.accounts.passwords import PRESETS
from idp.accounts.regions import RegionDirectory
from idp.accounts.validation import ValidationError
from idp.adapters.clock import moscow_today
from idp.authn.assurance import acr_for, amr_for
from idp.authn.errors import CodeExpired, CodeInvalid, ResendTooSoon
from idp.selfservice.registration import ProfileAlreadyCompleted, RegistrationService, save_profile
from idp.services import services
from idp.web.current import current_person, sign_in
from idp.web.origin import request_origin

bp = Blueprint("register", __name__)


def _service() -> RegistrationService:
    s = services()
    return RegistrationService(
        store=s.store,
        sms=s.login.sms,
        lookups=s.lookup_limits,
        ttl=s.settings.login_transaction_ttl,
        password_policy=PRESETS[s.settings.password_policy],
    )


def regions_directory() -> RegionDirectory:
    """The region directory of config/regions.toml, loaded once per app."""
    return services().regions()


def _errors(exc: ValidationError) -> dict[str, str]:
    return {e.field: e.message for e in exc.errors}


@bp.get("/register")
def start() -> ResponseReturnValue:
    return render_template("register.html", errors={}, form={})


@bp.post("/register")
def start_submit() -> ResponseReturnValue:
    form = request.form
    try:
        pending = _service().start(
            phone=form.get("phone", ""),
            email=form.get("email", ""),
            password=form.get("password", ""),
            password_confirm=form.get("password_confirm", ""),
            origin=request_origin(),
        )
    except ValidationError as exc:
        safe = {"phone": form.get("phone", ""), "email": form.get("email", "")}
        return render_template("register.html", errors=_errors(exc), form=safe), 400
    session["registration"] = pending.id
    return redirect(url_for("register.confirm_form"), 303)


@bp.get("/register/confirm")
def confirm_form() -> ResponseReturnValue:
    pending = _service().load(session.get("registration"))
    return render_template("register_confirm.html", phone=pending.phone, error=None)


@bp.post("/register/confirm")
def confirm_submit() -> ResponseReturnValue:
    svc = _service()
    pending = svc.load(session.get("registration"))
    if request.form.get("action") == "resend":
        try:
            svc.resend(pending, request_origin())
        except ResendTooSoon as exc:
            return render_template("register_confirm.html", phone=pending.phone, error=exc), exc.status
        return redirect(url_for("register.confirm_form"), 303)
    try:
        person, notices = svc.confirm(pending, request.form.get("code", ""), ip=request_origin().ip)
    except (CodeInvalid, CodeExpired) as exc:
        return render_template("register_confirm.html", phone=pending.phone, error=exc), exc.status
    # The person has just proved the password (set a moment ago) and the phone: two factors.
    factors = ["password", "sms"]
    sign_in(person_oid=person.oid, amr=amr_for(factors), acr=acr_for(factors))
    session["notices"] = notices
    return redirect(url_for("register.profile_form"), 303)


def _to_personal_data() -> ResponseReturnValue:
    """Step 3 is done once; later changes go through the cabinet (a fresh login, a notice, and
    a lower level for changed identity data)."""
    session["profile_notice"] = "profile_already_completed"
    return redirect(url_for("cabinet.personal_data_form"), 303)


@bp.get("/register/profile")
def profile_form() -> ResponseReturnValue:
    person = current_person()
    if person is None:
        return redirect(url_for("login.password_form"))
    if person.profile_complete:
        return _to_personal_data()
    return render_template(
        "register_profile.html", errors={}, form={}, regions=regions_directory(), notices=session.pop("notices", [])
    )


@bp.post("/register/profile")
def profile_submit() -> ResponseReturnValue:
    person = current_person()
    if person is None:
        return redirect(url_for("login.password_form"), 303)
    try:
        save_profile(
            person,
            request.form.to_dict(),
            regions=regions_directory(),
            today=moscow_today(services().clock),
            lookups=services().lookup_limits,
            ip=request_origin().ip,
        )
    except ProfileAlreadyCompleted:
        return _to_personal_data()
    except ValidationError as exc:
        return render_template(
            "register_profile.html", errors=_errors(exc), form=request.form, regions=regions_directory(), notices=[]
        ), 400
    return redirect(url_for("cabinet.profile"), 303)
