"""Does the signed-in session satisfy this request? Each check answers with a reason to
authenticate again, or ``None``. Login and consent UI live outside; they hand back a session."""

from __future__ import annotations

import time
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError

from idp.authn.assurance import acr_satisfies
from idp.oidc.authorization.params import OidcParams
from idp.oidc.keys import KeyRing
from idp.oidc.tokens import ALLOWED_ALGS
from idp.sessions.models import BrowserSession


def hinted_subject(id_token_hint: str | None, *, keyring: KeyRing, issuer: str) -> str | None:
    """The ``sub`` of an ID token we issued (expired ones too, any published key)."""
    if not id_token_hint:
        return None
    try:
        decoded = jwt.decode(id_token_hint, keyring.verification_keyset(), algorithms=ALLOWED_ALGS)
    except (JoseError, ValueError):
        return None
    claims: dict[str, Any] = dict(decoded.claims)
    return str(claims["sub"]) if claims.get("iss") == issuer and claims.get("sub") else None


def reauthentication_reason(
    found: BrowserSession | None, params: OidcParams, *, fresh: bool, hinted_sub: str | None
) -> str | None:
    if found is None:
        return "no_session"
    if hinted_sub is not None and hinted_sub != str(found.person_oid):
        return "id_token_hint_other_subject"
    if fresh:
        return None
    if "login" in params.prompts:
        return "prompt_login"
    if params.max_age is not None and time.time() - found.auth_time > params.max_age:
        return "max_age"
    wanted = params.essential_acr or params.acr_values
    if wanted and not acr_satisfies(found.acr, wanted):
        return "acr_step_up"
    return None
