"""One authorization request as the checks see it: each check reads the context and may fill it in.

The view builds it from the HTTP request (parameters, method, the signed-in person); the checks
in :mod:`idp.oidc.authorization.checks` resolve, validate and judge it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from flask import Request
from werkzeug.datastructures import MultiDict
from werkzeug.test import EnvironBuilder

from idp.accounts.models import Person
from idp.oidc.authorization.errors import AuthorizationError, AuthorizationRequestRefused, refusal
from idp.oidc.authorization.par import PushedRequests
from idp.oidc.authorization.params import OidcParams
from idp.oidc.subject import GrantUser
from idp.sessions.models import BrowserSession

# Before the OIDC parameters are read: no prompt, no max_age, responses by query.
NO_OIDC_PARAMS = OidcParams(prompts=frozenset(), max_age=None, acr_values=(), essential_acr=())


@dataclass
class AuthorizationContext:
    params: MultiDict[str, str]  # as sent; the pushed ones once a request_uri is resolved
    issuer: str
    server: AuthorizationServer
    pushed: PushedRequests
    end_user: Person | None = None
    redirect_status: int = 302  # 303 answers a POST
    decision: str | None = None  # the consent form's answer, when the form is being posted
    grant: Any = None  # Authlib's code grant, once the client and redirect_uri are validated
    oidc: OidcParams = NO_OIDC_PARAMS
    response_mode: str = "query"  # the request's own, once the request is accepted
    # The signed-in session, as the view found it:
    browser_session: BrowserSession | None = None
    fresh_login: bool = False  # the person has just signed in for this very request
    hinted_sub: str | None = None  # the ``sub`` of a valid id_token_hint
    reauthentication: str | None = None  # why the person must sign in (again), if they must
    # Consent:
    user: GrantUser | None = None
    needed_scopes: list[str] = field(default_factory=list)
    consented: bool = False  # a remembered consent covers the request and none is asked for

    def authlib_request(self) -> Request:
        """The resolved parameters as the GET request Authlib's server reads."""
        builder = EnvironBuilder(method="GET", path="/authorize", base_url=self.issuer, query_string=self.params)
        return Request(builder.get_environ())

    def refuse(self, error: str, description: str) -> AuthorizationError | AuthorizationRequestRefused:
        """``error`` for the client at its validated redirect_uri, with the request's ``state``."""
        return refusal(
            error,
            description,
            redirect_uri=getattr(self.grant, "redirect_uri", None),
            state=self.grant.request.payload.state if self.grant is not None else None,
            issuer=self.issuer,
            response_mode=self.response_mode,
            redirect_status=self.redirect_status,
        )
