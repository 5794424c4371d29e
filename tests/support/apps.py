"""IdP apps like the root ``app`` fixture (personas + the demo client), for other settings."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from flask import Flask

from idp.settings import IdpSettings
from idp.storage.unit_of_work import transaction
from tests.support.clients import DEMO_CREDS, register
from tests.support.flows import RP_REDIRECT


def seeded_app(settings: IdpSettings, persona_rows: list[dict[str, Any]]) -> Iterator[Flask]:
    """An app on ``settings`` with the personas and ``egisz-demo``; cleaned up when resumed."""
    from idp.accounts.models import Person
    from idp.adapters.store import RedisStore, open_store
    from idp.app import create_app
    from idp.storage.db import db

    store = open_store(settings.store_url, prefix=f"test:{uuid.uuid4().hex}:")
    application = create_app(settings, store=store)
    application.config["TESTING"] = True
    with application.app_context(), transaction():
        db.session.add_all([Person(**row) for row in persona_rows])
        db.session.commit()
    register(
        application,
        client_id=DEMO_CREDS[0],
        redirect_uris=[RP_REDIRECT],
        post_logout_redirect_uris=["http://localhost:8001/"],
        scopes=["profile", "phone"],
        client_secret=DEMO_CREDS[1],
    )
    try:
        yield application
    finally:
        application.extensions["gosid"].backchannel_worker.stop()  # its delivery thread, if started
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
        if isinstance(store, RedisStore):
            store.flush_prefix()
