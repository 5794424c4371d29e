"""Finishing a login: verify what the IdP sent, remember the person, start the browser session."""

from __future__ import annotations

from relying_party_demo import login_sessions
from relying_party_demo.errors import IdTokenInvalid, InvalidToken
from relying_party_demo.guard import caller_for
from relying_party_demo.oauth_client import IdpTokens
from relying_party_demo.services import RpServices
from relying_party_demo.tokens import AccessToken


def complete_sign_in(rp: RpServices) -> AccessToken:
    """Handle the IdP's redirect back; raises an :class:`RpError` subclass on any failure.

    The access token is verified like any API token: its scopes are what the person granted,
    and the pages use it under the same policy as the API. The person is linked to the medical
    data by the SNILS the IdP released, if the IdP confirmed it (``guard.caller_for``); the first
    region seen becomes the accepted one.
    """
    tokens = rp.login.complete()
    access = _verified_access_token(rp, tokens)
    claims = {**tokens.id_claims, **tokens.userinfo}
    login_sessions.start(
        subject=access.subject,
        claims=claims,
        scopes=access.scopes,
        id_token=tokens.id_token,
        access_token=tokens.access_token,
    )
    caller_for(access, tokens.access_token, claims)  # links the SNILS (once per token)
    return access


def _verified_access_token(rp: RpServices, tokens: IdpTokens) -> AccessToken:
    try:
        access = rp.access_tokens.verify(tokens.access_token)
    except InvalidToken as exc:
        raise IdTokenInvalid(f"the access token failed verification: {exc.detail}") from exc
    if access.subject != tokens.id_claims["sub"]:
        raise IdTokenInvalid("the access token and the ID token name different people")
    return access
