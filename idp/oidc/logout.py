"""Ending one browser session ends what hangs on it, wherever the ending starts.

RP-initiated logout (``/logout``, idp.web.session_end) and the person ending a session on
«Сеансы» (idp.selfservice.sessions_admin) both come here, so a session ended either way leaves
nothing working behind: its refresh families are revoked (and with them, through
:mod:`idp.oidc.grant_state`, the access tokens they issued), its ``sid`` goes on the access-token
deny list (tokens without a refresh family too), and the clients it signed in to are told by
back-channel logout.
"""

from __future__ import annotations

from flask import current_app

from idp.oidc.backchannel import Delivery, logout_token
from idp.oidc.models import OAuthClient
from idp.services import services
from idp.sessions.models import BrowserSession
from idp.storage.db import db


def session_sid(ending: BrowserSession) -> str:
    """The ``sid`` the ID tokens of this session carry."""
    return ending.id_hash[:32]


def end_session_everywhere(ending: BrowserSession, person_oid: int) -> None:
    """Revoke what ``ending`` issued and notify its clients (the caller ends the row itself)."""
    sid = session_sid(ending)
    svc = services()
    svc.refresh.revoke_for_session(sid)
    svc.deny_list.revoke_session(sid, ttl=svc.settings.access_token_ttl + 60)  # family-less access tokens too
    deliveries = _backchannel_deliveries(ending, person_oid, sid)
    if deliveries:
        notifier = current_app.extensions["gosid_backchannel"]
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        notifier.notify(app, deliveries, person_oid=person_oid)


def _backchannel_deliveries(ending: BrowserSession, person_oid: int, sid: str) -> list[Delivery]:
    deliveries = []
    for client_id in ending.client_ids or []:
        client = db.session.get(OAuthClient, client_id)
        if client is None or not client.backchannel_logout_uri:
            continue
        token = logout_token(
            services().signer,
            client_id=client_id,
            sub=str(person_oid),
            sid=sid,
            alg=client.id_token_signed_response_alg or "RS256",
        )
        deliveries.append(Delivery(client_id=client_id, uri=client.backchannel_logout_uri, logout_token=token))
    return deliveries
