"""A replayed authorization code revokes what the first redemption produced (RFC 9700 §4.2.4)."""

from __future__ import annotations

from collections.abc import Callable

from idp.audit import log as audit
from idp.oidc.codes import CodeRepository
from idp.oidc.models import OAuthClient
from idp.oidc.refresh import RefreshTokenService
from idp.oidc.revocation import AccessTokenDenyList


def code_replay_revoker(
    *, codes: CodeRepository, refresh: RefreshTokenService, deny_list: AccessTokenDenyList
) -> Callable[[str, OAuthClient], None]:
    def revoke(code: str, client: OAuthClient) -> None:
        record = codes.redeemed(code)
        if record is None:
            return
        if record.get("family_id"):
            refresh.revoke_family(record["family_id"], reason="code_replay")
        deny_list.revoke({"jti": record["jti"], "exp": record["exp"]})
        audit.record("code_replay", result="tokens_revoked", client_id=client.client_id)

    return revoke
