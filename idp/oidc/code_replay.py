"""A replayed authorization code revokes what the first redemption produced (RFC 9700 §4.2.4).

Order: the redemption records the code as used (its database row) when it consumes it, and
what the code produced in the same transaction as its tokens. A replay first waits on that row
(``CodeRepository.redemption_committed``: an insert of the same key waits for the redemption's
transaction to end), so it revokes the refresh token the redemption committed, never a token
still on its way to the database. The audit row says what was revoked: how many refresh tokens,
and the access token's ``jti``.
"""

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
        if not codes.redemption_committed(code):
            return  # unknown or expired, or its redemption failed: nothing was issued
        record = codes.redeemed(code)
        if record is None:
            return  # another replay took the record and revoked what it names
        revoked = 0
        if record.get("family_id"):
            revoked = refresh.revoke_family(record["family_id"], reason="code_replay")
        deny_list.revoke({"jti": record["jti"], "exp": record["exp"]})
        audit.record(
            "code_replay",
            result="tokens_revoked",
            client_id=client.client_id,
            access_jti=record["jti"],
            refresh_tokens_revoked=revoked,
        )

    return revoke
