"""The root of the IdP's one error model.

Every refusal the IdP gives on purpose is a :class:`GosidError` carrying what the renderer
needs: a support ``code`` a person can quote, the HTTP ``status`` and a user ``message``
(an English msgid, translated when rendered). Families live beside their domain:

- login and account: ``idp.authn.errors.LoginError``;
- ESIA dialect: ``idp.esia.errors.EsiaError`` (ESIA-0070xx codes and OAuth ``error``);
- OAuth/OIDC protocol, DPoP included: ``idp.oidc.errors.ProtocolError`` (Authlib ``OAuth2Error``).

Views raise them; ``idp.web.errors`` (and ``idp.web.esia.responses`` for the ESIA shapes) is
where they become responses.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark ``message`` for extraction (``pybabel extract -k N_``); it is translated when shown."""
    return message


class GosidError(Exception):
    """A refusal: the support ``code``, the HTTP ``status`` and the user ``message`` (a msgid)."""

    code: str = "GOSID-000"
    status: int = 400
    message: str = N_("The request could not be completed. Try again.")
