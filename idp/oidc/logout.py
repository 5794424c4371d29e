"""Ending one browser session ends what hangs on it, wherever the ending starts.

RP-initiated logout (``/logout``, idp.web.session_end) and the person ending a session on
«Сеансы» (idp.selfservice.sessions_admin) both come here, so a session ended either way leaves
nothing working behind: its refresh families are revoked (and with them, through
:mod:`idp.oidc.grant_state`, the access tokens they issued), its ``sid`` goes on the access-token
deny list (tokens without a refresh family too), and the clients it signed in to are told by
back-channel logout.
"""

from __future__ import annotations

from idp.oidc.backchannel import BackchannelNotifier, Delivery, logout_token
from idp.oidc.models import OAuthClient
from idp.oidc.refresh import RefreshTokenService
from idp.oidc.revocation import AccessTokenDenyList
from idp.oidc.tokens import TokenSigner
from idp.sessions.models import BrowserSession
from idp.storage.db import db


def session_sid(ending: BrowserSession) -> str:
    """The ``sid`` the ID tokens of this session carry."""
    return ending.id_hash[:32]


class SessionLogout:
    """Revokes what one ended browser session issued and tells its clients (built in idp/services.py)."""

    def __init__(
        self,
        *,
        refresh: RefreshTokenService,
        deny_list: AccessTokenDenyList,
        signer: TokenSigner,
        notifier: BackchannelNotifier,
        access_token_ttl: int,
    ) -> None:
        self._refresh, self._deny_list, self._signer = refresh, deny_list, signer
        self._notifier, self._access_ttl = notifier, access_token_ttl

    def end_everywhere(self, ending: BrowserSession, person_oid: int) -> None:
        """Revoke what ``ending`` issued and notify its clients (the caller ends the row itself)."""
        sid = session_sid(ending)
        self._refresh.revoke_for_session(sid)
        self._deny_list.revoke_session(sid, ttl=self._access_ttl + 60)  # family-less access tokens too
        deliveries = self._deliveries(ending, person_oid, sid)
        if deliveries:
            self._notifier.notify(deliveries, person_oid=person_oid)

    def _deliveries(self, ending: BrowserSession, person_oid: int, sid: str) -> list[Delivery]:
        deliveries = []
        for client_id in ending.client_ids or []:
            client = db.session.get(OAuthClient, client_id)
            if client is None or not client.backchannel_logout_uri:
                continue
            token = logout_token(
                self._signer,
                client_id=client_id,
                sub=str(person_oid),
                sid=sid,
                alg=client.id_token_signed_response_alg or "RS256",
            )
            deliveries.append(Delivery(client_id=client_id, uri=client.backchannel_logout_uri, logout_token=token))
        return deliveries
