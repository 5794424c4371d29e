"""A database for code that remembers used values and revocations (idp.replay.used_values), without an IdP."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from idp.replay.models import AccessTokenRevocation, UsedValue
from idp.storage.db import db


@contextmanager
def replay_database(url: str = "sqlite://") -> Iterator[None]:
    """An app context whose ``db.session`` holds only the replay-guard tables (in-memory SQLite)."""
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    db.init_app(app)
    with app.app_context():
        for table in (UsedValue.__table__, AccessTokenRevocation.__table__):
            table.create(db.engine, checkfirst=True)
        try:
            yield
        finally:
            db.session.remove()
            db.engine.dispose()
