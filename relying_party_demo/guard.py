"""Turns a policy decision into the matching error, for the API and the pages alike."""

from __future__ import annotations

from relying_party_demo.errors import AccessDenied, InsufficientScope
from relying_party_demo.policy import CardAction, Verdict, decide_card_access
from relying_party_demo.tokens import AccessToken


def require_card_access(token: AccessToken, *, card_oid: int, action: CardAction) -> None:
    """Return if allowed; raise :class:`InsufficientScope` or :class:`AccessDenied` otherwise."""
    decision = decide_card_access(subject=token.subject, scopes=token.scopes, card_oid=card_oid, action=action)
    if decision.verdict is Verdict.INSUFFICIENT_SCOPE:
        raise InsufficientScope(decision.required_scope)
    if decision.verdict is Verdict.NOT_OWNER:
        raise AccessDenied("a patient may only access their own medical card")
