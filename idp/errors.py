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


RETRY_AFTER_SECONDS = 5
"""The ``Retry-After`` of every 503 an outage causes: long enough for a restarted PostgreSQL or
Redis or a failed-over gateway, short enough that a retrying client is not held up for long."""


class DependencyUnavailable(GosidError):
    """A dependency failed (the database, the short-lived store, the SMS or e-mail gateway): the
    request is refused with 503 and ``Retry-After``, and nothing it did is kept (the unit of work
    rolls back). The renderers choose the shape (OAuth JSON, ESIA JSON, a page)."""

    code = "SVC-503"
    status = 503
    message = N_("The service is temporarily unavailable. Try again in a minute.")
    retry_after = RETRY_AFTER_SECONDS


class DatabaseUnavailable(DependencyUnavailable):
    """The database cannot be reached (a connection failed, was cut or the pool is exhausted)."""

    code = "SVC-001"


class StoreOutage(DependencyUnavailable):
    """The short-lived store (Redis) cannot be reached, is too slow or its circuit is open."""

    code = "SVC-002"
