"""From a verified access token to a policy decision: who is calling, and may they?

:class:`Caller` is the token plus what the service knows about the person (the SNILS linked to
``sub``, the regional requirements they completed). :func:`authorize` asks the policy and turns
a refusal into its error; the API and the pages both go through here.

:func:`caller_for` is the one place where the person's SNILS is worked out: only a SNILS the IdP
confirmed reaches the policy, and a confirmed SNILS other than the linked one does not either.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import requests

from relying_party_demo import people
from relying_party_demo.access.policy import (
    ACTIONS,
    Action,
    Decision,
    Identity,
    PersonState,
    Subject,
    Target,
    decide,
)
from relying_party_demo.errors import IdpUnavailable
from relying_party_demo.idp_http import get_json_object
from relying_party_demo.people import LinkedIdentity
from relying_party_demo.profile import IdentityEvidence, identity_evidence
from relying_party_demo.refusals import error_for
from relying_party_demo.services import RpServices, services
from relying_party_demo.tokens import AccessToken

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Caller:
    token: AccessToken
    subject: Subject
    state: PersonState

    @property
    def sub(self) -> str:
        return self.token.subject

    @property
    def snils(self) -> str | None:
        """The linked SNILS the IdP confirmed, or None (see :attr:`identity`)."""
        return self.subject.snils

    @property
    def identity(self) -> Identity:
        return self.subject.identity

    @property
    def jti(self) -> str:
        return self.token.jti

    def has_role(self, role: str) -> bool:
        return role in self.subject.roles


def caller_for(token: AccessToken, raw_token: str, claims: dict[str, Any] | None = None) -> Caller:
    """The caller behind a verified token. The person's SNILS comes from ``claims`` (a browser
    login's ID token and userinfo) or from userinfo for this very token (when it carries the
    ``snils`` scope), once per token; it counts only when the IdP confirmed it."""
    identity = people.checked_identity(token.subject, token.jti) or _identify(token, raw_token, claims)
    subject = Subject(
        sub=token.subject,
        scopes=token.scopes,
        roles=frozenset(token.roles),
        region=token.region,
        acr=token.acr,
        amr=frozenset(token.amr),
        organization_oid=token.organization_oid,
        regional_doctor_certificate=token.regional_doctor_certificate,
        snils=identity.snils,
        identity=identity.status,
    )
    return Caller(token=token, subject=subject, state=people.state_of(token.subject))


def _identify(token: AccessToken, raw_token: str, claims: dict[str, Any] | None) -> LinkedIdentity:
    rp = services()
    evidence = identity_evidence(claims) if claims is not None else None
    if evidence is None and "snils" in token.scopes:
        evidence = _evidence_from_userinfo(rp, raw_token)
    return people.identify(token.subject, evidence, region=token.region, jti=token.jti, now=rp.clock.now())


def _evidence_from_userinfo(rp: RpServices, raw_token: str) -> IdentityEvidence | None:
    endpoint = rp.discovery.metadata().userinfo_endpoint
    if endpoint is None:
        return None
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {raw_token}"
    try:
        data = get_json_object(endpoint, timeout=rp.settings.http_timeout_seconds, session=session)
    except IdpUnavailable:
        log.warning("userinfo did not answer for a token with the snils scope", exc_info=True)
        return None
    return identity_evidence(data)


def check(caller: Caller, action: Action, target: Target | None = None) -> Decision:
    rp = services()
    return decide(caller.subject, action, target=target or Target(), state=caller.state, config=rp.policy)


def authorize(caller: Caller, action: Action, target: Target | None = None) -> str | None:
    """Return the role the action is done in, or raise the refusal's error."""
    decision = check(caller, action, target)
    if not decision.allowed:
        raise error_for(decision, services().rules)
    return acting_role(caller, action)


def require_scope(caller: Caller, action: Action) -> None:
    """Refuse early when the token lacks the action's scope (before looking anything up)."""
    if ACTIONS[action].scope not in caller.subject.scopes:
        # The policy checks the scope first, so its decision is the insufficient_scope refusal.
        raise error_for(check(caller, action), services().rules)


def acting_role(caller: Caller, action: Action) -> str | None:
    roles = [g.role for g in ACTIONS[action].grants if g.role in caller.subject.roles]
    return roles[0] if roles else (min(caller.subject.roles) if caller.subject.roles else None)
