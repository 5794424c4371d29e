"""Ending one browser session ends what hangs on it, wherever the ending starts.

RP-initiated logout (``/logout``, idp.web.session_end) and the person ending a session on
«Сеансы» (idp.selfservice.sessions_admin) both come here, so a session ended either way leaves
nothing working behind: its refresh families are revoked (and with them, through
:mod:`idp.oidc.grant_state`, the access tokens they issued), its ``sid`` goes on the access-token
deny list (tokens without a refresh family too), and the clients it signed in to are told by
back-channel logout: one outbox row per client, written in the logout's own transaction and
delivered (with retries) after it commits by :mod:`idp.oidc.backchannel`.
"""

from __future__ import annotations

from idp.oidc.backchannel import BackchannelOutbox, Delivery, DeliveryWorker
from idp.oidc.models import OAuthClient
from idp.oidc.refresh import RefreshTokenService
from idp.oidc.revocation import AccessTokenDenyList
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
        outbox: BackchannelOutbox,
        worker: DeliveryWorker,
        access_token_ttl: int,
    ) -> None:
        self._refresh, self._deny_list = refresh, deny_list
        self._outbox, self._worker, self._access_ttl = outbox, worker, access_token_ttl

    def end_everywhere(self, ending: BrowserSession, person_oid: int) -> None:
        """Revoke what ``ending`` issued and queue its clients' logout tokens, all in the caller's
        transaction (the caller ends the row itself); delivery starts once it commits."""
        sid = session_sid(ending)
        self._refresh.revoke_for_session(sid)
        self._deny_list.revoke_session(sid, ttl=self._access_ttl + 60)  # family-less access tokens too
        deliveries = self._deliveries(ending, person_oid, sid)
        if deliveries:
            self._outbox.enqueue(deliveries, person_oid=person_oid)
            self._worker.wake_after_commit(db.session())

    def _deliveries(self, ending: BrowserSession, person_oid: int, sid: str) -> list[Delivery]:
        deliveries = []
        for client_id in ending.client_ids or []:
            client = db.session.get(OAuthClient, client_id)
            if client is None or not client.backchannel_logout_uri:
                continue
            deliveries.append(
                Delivery(
                    client_id=client_id,
                    uri=client.backchannel_logout_uri,
                    sub=str(person_oid),
                    sid=sid,
                    alg=client.id_token_signed_response_alg or "RS256",
                )
            )
        return deliveries
