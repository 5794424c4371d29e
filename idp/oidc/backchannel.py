"""OpenID Connect Back-Channel Logout: signed logout tokens POSTed to each client that the
ending session signed into, in the background, with retries; every outcome is audited."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import requests

from idp.audit import log as audit
from idp.oidc.tokens import TokenSigner
from idp.storage.unit_of_work import transaction

EVENT = "http://schemas.openid.net/event/backchannel-logout"


@dataclass(frozen=True)
class Delivery:
    client_id: str
    uri: str
    logout_token: str


def logout_token(signer: TokenSigner, *, client_id: str, sub: str, sid: str, alg: str = "RS256") -> str:
    now = int(time.time())
    claims = {
        "iss": signer.issuer,
        "aud": client_id,
        "iat": now,
        "exp": now + 120,
        "jti": uuid.uuid4().hex,
        "sub": sub,
        "sid": sid,
        "events": {EVENT: {}},
    }
    return signer.sign(claims, alg=alg, typ="logout+jwt")


class BackchannelNotifier:
    """``app_context`` opens the database context the background deliveries audit in."""

    def __init__(
        self,
        app_context: Callable[[], AbstractContextManager[Any]],
        *,
        attempts: int = 3,
        timeout: float = 5.0,
        backoff: float = 0.5,
        post: Callable[..., requests.Response] = requests.post,
    ) -> None:
        self._app_context = app_context
        self._attempts, self._timeout, self._backoff, self._post = attempts, timeout, backoff, post

    def deliver(self, delivery: Delivery) -> bool:
        """POST one logout token until the client answers 2xx or the attempts run out."""
        for attempt in range(1, self._attempts + 1):
            try:
                resp = self._post(
                    delivery.uri,
                    data={"logout_token": delivery.logout_token},
                    timeout=self._timeout,
                    headers={"Cache-Control": "no-store"},
                    allow_redirects=False,
                )
                if 200 <= resp.status_code < 300:
                    return True
            except requests.RequestException:
                pass
            if attempt < self._attempts:
                time.sleep(self._backoff * 2 ** (attempt - 1))
        return False

    def notify(self, deliveries: list[Delivery], *, person_oid: int) -> threading.Thread:
        """Deliver in a background thread so that logging out never waits on a slow client."""

        def run() -> None:
            for delivery in deliveries:
                ok = self.deliver(delivery)
                with self._app_context(), transaction():
                    audit.record(
                        "backchannel_logout",
                        result="delivered" if ok else "failed",
                        person_oid=person_oid,
                        client_id=delivery.client_id,
                    )

        thread = threading.Thread(target=run, name="backchannel-logout", daemon=True)
        thread.start()
        return thread
