"""Ending a browser session ends what hangs on it: refresh tokens, and the clients' sessions."""

from __future__ import annotations

from flask import current_app

from idp.oidc.backchannel import Delivery, logout_token
from idp.oidc.models import OAuthClient
from idp.services import services
from idp.sessions.models import BrowserSession
from idp.storage.db import db


def end_session_everywhere(ending: BrowserSession, person_oid: int) -> None:
    sid = ending.id_hash[:32]
    svc = services()
    svc.refresh.revoke_for_session(sid)
    deliveries = []
    for client_id in ending.client_ids or []:
        client = db.session.get(OAuthClient, client_id)
        if client is None or not client.backchannel_logout_uri:
            continue
        token = logout_token(
            svc.signer,
            client_id=client_id,
            sub=str(person_oid),
            sid=sid,
            alg=client.id_token_signed_response_alg or "RS256",
        )
        deliveries.append(Delivery(client_id=client_id, uri=client.backchannel_logout_uri, logout_token=token))
    if deliveries:
        notifier = current_app.extensions["gosid_backchannel"]
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        current_app.extensions["gosid_backchannel_last"] = notifier.notify(app, deliveries, person_oid=person_oid)
