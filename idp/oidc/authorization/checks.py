"""The authorization endpoint's checks, in the order they run (node-oidc-provider's
``lib/actions/authorization/`` is the model).

Each step takes the :class:`AuthorizationContext`, may fill it in, and refuses by raising
:class:`AuthorizationError` (sent back to the client) or :class:`AuthorizationRequestRefused`
(the error page, when nothing says where an error may go). Signing in, choosing the account and
consenting are not here: they are pages the view shows between the stages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from authlib.oauth2 import OAuth2Error

from idp.audit import log as audit
from idp.authn.assurance import acr_satisfies
from idp.oidc import consent
from idp.oidc.authorization.context import AuthorizationContext
from idp.oidc.authorization.errors import AuthorizationRequestRefused, from_authlib
from idp.oidc.authorization.params import InvalidParameter, parse_oidc_params
from idp.oidc.authorization.session_checks import reauthentication_reason
from idp.oidc.claims import scopes_for_claims
from idp.oidc.offline_access import OFFLINE_ACCESS

Check = Callable[[AuthorizationContext], None]


def run(checks: Sequence[Check], ctx: AuthorizationContext) -> None:
    for check in checks:
        check(ctx)


# --- the request ------------------------------------------------------------------------------


def check_pushed_request(ctx: AuthorizationContext) -> None:
    """With a ``request_uri`` only the pushed parameters count (RFC 9126 §4)."""
    request_uri = ctx.params.get("request_uri")
    if request_uri is None:
        return
    pushed = ctx.pushed.peek(request_uri, ctx.params.get("client_id"))
    if pushed is None:
        raise AuthorizationRequestRefused("invalid_request_uri", "request_uri is unknown, expired, used or not yours")
    pushed.setlist("request_uri", [request_uri])
    ctx.params = pushed


def check_client_and_grant(ctx: AuthorizationContext) -> None:
    """Parameter syntax, client, redirect_uri, response_type, scope and S256 PKCE, as the code
    grant of :mod:`idp.oidc.server` judges them."""
    try:
        ctx.grant = ctx.server.get_consent_grant(request=ctx.authlib_request(), end_user=ctx.end_user)
    except OAuth2Error as error:
        raise from_authlib(error, issuer=ctx.issuer, redirect_status=ctx.redirect_status) from None


def check_request_object(ctx: AuthorizationContext) -> None:
    if "request" in ctx.params:
        raise ctx.refuse("request_not_supported", "request objects are not supported; use PAR")


def check_oidc_parameters(ctx: AuthorizationContext) -> None:
    """prompt, max_age, claims, response_mode, no parameter twice (OIDC Core 3.1.2.1)."""
    try:
        ctx.oidc = parse_oidc_params(ctx.params)
    except InvalidParameter as exc:
        raise ctx.refuse("invalid_request", str(exc)) from None


def check_pushed_required(ctx: AuthorizationContext) -> None:
    if ctx.grant.client.require_pushed_authorization_requests and "request_uri" not in ctx.params:
        raise ctx.refuse("invalid_request", "this client must use pushed authorization requests")


def accept_response_mode(ctx: AuthorizationContext) -> None:
    """From here on responses, errors too, travel as the request asked; its own errors above go by query."""
    ctx.response_mode = ctx.oidc.response_mode


REQUEST_CHECKS: tuple[Check, ...] = (
    check_pushed_request,
    check_client_and_grant,
    check_request_object,
    check_oidc_parameters,
    check_pushed_required,
    accept_response_mode,
)


# --- the signed-in session (the view fills in browser_session, fresh_login, hinted_sub) --------


def find_reauthentication(ctx: AuthorizationContext) -> None:
    """Why the person must sign in (again): no session, another subject hinted, prompt=login,
    max_age, a higher acr; ``None`` when the session will do."""
    ctx.reauthentication = reauthentication_reason(
        ctx.browser_session, ctx.oidc, fresh=ctx.fresh_login, hinted_sub=ctx.hinted_sub
    )


def check_prompt_none_sign_in(ctx: AuthorizationContext) -> None:
    """Under prompt=none a needed sign-in is ``login_required``, not a login page (OIDC Core 3.1.2.6)."""
    if ctx.reauthentication is not None and "none" in ctx.oidc.prompts:
        raise ctx.refuse("login_required", f"interaction required: {ctx.reauthentication}")


def check_essential_acr(ctx: AuthorizationContext) -> None:
    """An essential acr a fresh sign-in still does not reach (OIDC Core 5.5.1.1)."""
    found, wanted = ctx.browser_session, ctx.oidc.essential_acr
    if ctx.reauthentication is None and found is not None and wanted and not acr_satisfies(found.acr, wanted):
        raise ctx.refuse(
            "unmet_authentication_requirements", "the requested acr cannot be reached with this person's factors"
        )


SESSION_CHECKS: tuple[Check, ...] = (find_reauthentication, check_prompt_none_sign_in, check_essential_acr)


# --- consent (the view fills in user and decision) ---------------------------------------------


def find_needed_consent(ctx: AuthorizationContext) -> None:
    """What the person is asked to allow: the client's allowed scopes and those of the claims asked
    for; offline_access is dropped under prompt=none unless already allowed (OIDC Core 11)."""
    assert ctx.user is not None
    client, oid = ctx.grant.client, ctx.user.person.oid
    scopes = (client.get_allowed_scope(ctx.grant.request.payload.scope or "") or "").split()
    claim_scopes = scopes_for_claims({*ctx.oidc.id_token_claims, *ctx.oidc.userinfo_claims}) & set(client.scopes)
    needed = set(scopes) | claim_scopes
    if "none" in ctx.oidc.prompts and not consent.covers(oid, client.client_id, [OFFLINE_ACCESS]):
        needed.discard(OFFLINE_ACCESS)
    ctx.needed_scopes = sorted(needed)
    ctx.consented = "consent" not in ctx.oidc.prompts and consent.covers(oid, client.client_id, ctx.needed_scopes)


def check_decision(ctx: AuthorizationContext) -> None:
    """The consent form answered with anything but "allow": ``access_denied``."""
    if ctx.decision is None or ctx.decision == "allow":
        return
    person_oid = ctx.user.person.oid if ctx.user is not None else None
    audit.record("consent_denied", person_oid=person_oid, client_id=ctx.grant.client.client_id)
    raise ctx.refuse("access_denied", "the person denied the request")


def check_prompt_none_consent(ctx: AuthorizationContext) -> None:
    """Under prompt=none a needed consent page is ``consent_required`` (OIDC Core 3.1.2.6)."""
    if ctx.decision is None and not ctx.consented and "none" in ctx.oidc.prompts:
        raise ctx.refuse("consent_required", "consent has not been given")


CONSENT_CHECKS: tuple[Check, ...] = (find_needed_consent, check_decision, check_prompt_none_consent)


def use_pushed_request(ctx: AuthorizationContext) -> None:
    """Spend the request_uri as the code is issued: of two parallel uses one gets the code."""
    request_uri = ctx.params.get("request_uri")
    if request_uri and not ctx.pushed.consume(request_uri):
        raise AuthorizationRequestRefused("invalid_request_uri", "request_uri was already used")
