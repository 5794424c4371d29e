"""OpenID Connect Core 1.0 §11, offline access: when a client gets a refresh token.

The policy (docs/SECURITY.md, "Offline access and refresh tokens"):

* A refresh token is issued for a code only when the grant includes ``offline_access``, or
  when the client is registered with ``always_issue_refresh_token``; in both cases only to a
  client with the ``refresh_token`` grant (node-oidc-provider's default ``issueRefreshToken``
  with a per-client switch).
* ``offline_access`` is granted only with the person's explicit consent to it for this client:
  the consent page names it, and the remembered consent records it. A request that asks for it
  without such a consent shows the consent page (as ``prompt=consent`` would); under
  ``prompt=none`` it cannot be asked, so it is ignored, as §11 says of a request without
  ``prompt=consent``. A remembered consent that includes it is the "other condition permitting
  offline access" §11 allows. The only response type is ``code``, so the §11 rule about response
  types never drops it.
"""

from __future__ import annotations

from typing import Protocol

OFFLINE_ACCESS = "offline_access"


class _Client(Protocol):
    grant_types: list[str]
    always_issue_refresh_token: bool


def without_offline_access(scope: str) -> str:
    return " ".join(s for s in scope.split() if s != OFFLINE_ACCESS)


def granted_scope(scope: str, *, consented: bool) -> str:
    """The scope a code carries: ``offline_access`` only if the person consented to it."""
    return scope if consented or OFFLINE_ACCESS not in scope.split() else without_offline_access(scope)


def issues_refresh_token(client: _Client, scope: str) -> bool:
    """Whether the code exchange answers with a refresh token."""
    if "refresh_token" not in client.grant_types:
        return False
    return bool(client.always_issue_refresh_token) or OFFLINE_ACCESS in scope.split()
