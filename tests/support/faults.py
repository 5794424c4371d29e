"""Real database faults for unit-of-work tests, and a snapshot to prove a failure left nothing.

:func:`failing_audit_row` installs a trigger (SQLite or PostgreSQL) that refuses the INSERT of
one audit event, so a request fails after its first write, at the database, not in a mock.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

TRIGGER = "uow_forced_failure"

_SQLITE = f"""CREATE TRIGGER {TRIGGER} BEFORE INSERT ON audit_event WHEN NEW.event = '{{event}}'
BEGIN SELECT RAISE(ABORT, 'forced failure'); END"""
_PG_FUNCTION = f"""CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'forced failure'; END $$"""
_PG_TRIGGER = f"""CREATE TRIGGER {TRIGGER} BEFORE INSERT ON audit_event FOR EACH ROW
WHEN (NEW.event = '{{event}}') EXECUTE FUNCTION {TRIGGER}()"""


def _run(app: Flask, *statements: str) -> None:
    from idp.storage.db import db

    with app.app_context(), db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


@contextmanager
def failing_audit_row(app: Flask, event: str) -> Iterator[None]:
    """Inside the block, writing an audit row of ``event`` fails in the database."""
    assert re.fullmatch(r"[a-z_]+", event), event
    from idp.storage.db import db

    with app.app_context():
        dialect = db.engine.dialect.name
    if dialect == "sqlite":
        _run(app, _SQLITE.format(event=event))
        undo = [f"DROP TRIGGER IF EXISTS {TRIGGER}"]
    else:
        _run(app, _PG_FUNCTION, _PG_TRIGGER.format(event=event))
        undo = [f"DROP TRIGGER IF EXISTS {TRIGGER} ON audit_event", f"DROP FUNCTION IF EXISTS {TRIGGER}()"]
    try:
        yield
    finally:
        _run(app, *undo)


def database_snapshot(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order: equal snapshots mean nothing was written."""
    import idp.tables  # noqa: F401  (every model, so the metadata knows every table)
    from idp.storage.db import db

    with app.app_context():
        return {
            table.name: [tuple(row) for row in db.session.execute(select(table).order_by(*table.primary_key.columns))]
            for table in db.metadata.sorted_tables
        }


class at_next_commit:
    """Run ``action`` when the next session commit starts (from this thread): the fault hits
    after every statement of the request and before its COMMIT reaches the database."""

    def __init__(self, action: Callable[[], None]) -> None:
        self._action, self._thread, self.fired = action, threading.get_ident(), False

    def _hook(self, _session: Session) -> None:
        if not self.fired and threading.get_ident() == self._thread:
            self.fired = True
            self._action()

    def __enter__(self) -> at_next_commit:
        event.listen(Session, "before_commit", self._hook)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(Session, "before_commit", self._hook)
        assert self.fired, "no commit happened"
