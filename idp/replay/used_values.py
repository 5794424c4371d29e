"""Values that may be used once, remembered in the database (not in the short-lived store).

Losing these re-opens an attack: a DPoP proof or a client assertion could be replayed, a redeemed
authorization code could be redeemed again (a Redis restored from an older snapshot brings it
back) or replayed without revoking what it produced. So they live in PostgreSQL/SQLite, in the
request's transaction (``idp.web.unit_of_work``), and a replay is detected atomically by the
database's unique key: ``INSERT ... ON CONFLICT DO UPDATE ... WHERE expired`` affects a row only
for the first use (or the first use after the earlier one expired). A concurrent first use on
PostgreSQL waits for the other transaction and then sees the conflict; no transaction is aborted,
so no SAVEPOINT is needed. If the request fails with a 5xx the use is rolled back with everything
else the request did, so nothing it produced was delivered.

Expired rows are purged on write, at most once per ``purge_interval`` seconds per process, in
batches that skip rows another transaction holds (``FOR UPDATE SKIP LOCKED`` on PostgreSQL).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Table, case, delete, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from idp.replay.models import UsedValue
from idp.security.hashes import secret_digest
from idp.storage.db import db

PURGE_BATCH = 500


def upsert(table: Table) -> postgresql.Insert | sqlite.Insert:
    """The dialect's ``INSERT`` with ``ON CONFLICT`` (PostgreSQL and SQLite are supported)."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"replay guards need PostgreSQL or SQLite, not {dialect}")


class ExpiredRowPurge:
    """Deletes ``table``'s rows whose ``expires_at`` has passed, at most once per ``interval``."""

    def __init__(self, table: Table, *, interval: int = 60) -> None:
        self._table, self._interval = table, interval
        self._next = -math.inf
        self._lock = threading.Lock()

    def __call__(self, now: int) -> None:
        with self._lock:
            if now < self._next:
                return
            self._next = now + self._interval
        table = self._table
        keys = tuple_(*table.primary_key.columns)
        expired = (
            select(*table.primary_key.columns)
            .where(table.c.expires_at <= now)
            .limit(PURGE_BATCH)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite serialises writers anyway
        )
        db.session.execute(delete(table).where(keys.in_(expired)))


class UsedValues:
    """The first use of a value in a namespace wins; later uses until it expires are replays."""

    def __init__(self, *, clock: Callable[[], float] = time.time, purge_interval: int = 60) -> None:
        self._clock = clock
        self._table: Table = UsedValue.__table__
        self._purge = ExpiredRowPurge(self._table, interval=purge_interval)

    def now(self) -> int:
        return math.floor(self._clock())

    def first_use(self, namespace: str, value: str, *, until: float, record: dict[str, Any] | None = None) -> bool:
        """Record ``value`` as used until ``until`` (Unix time); ``False`` if it already is (a replay)."""
        now = self.now()
        self._purge(now)
        table = self._table
        stmt = upsert(table).values(
            namespace=namespace, digest=secret_digest(value), expires_at=math.ceil(until), record=record
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.namespace, table.c.digest],
            set_={"expires_at": stmt.excluded.expires_at, "record": stmt.excluded.record},
            where=table.c.expires_at <= now,  # an expired use no longer counts
        )
        # RETURNING names the row only if it was inserted or taken over (rowcount is not
        # reliable for upserts on every driver: psycopg reports -1).
        return db.session.execute(stmt.returning(table.c.digest)).first() is not None

    def remember(self, namespace: str, value: str, *, record: dict[str, Any], until: float) -> None:
        """Attach ``record`` to a used value (recording the use if needed), kept until at least ``until``."""
        table = self._table
        stmt = upsert(table).values(
            namespace=namespace, digest=secret_digest(value), expires_at=math.ceil(until), record=record
        )
        longer = case(
            (table.c.expires_at > stmt.excluded.expires_at, table.c.expires_at), else_=stmt.excluded.expires_at
        )
        db.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[table.c.namespace, table.c.digest],
                set_={"expires_at": longer, "record": stmt.excluded.record},
            )
        )

    def take(self, namespace: str, value: str) -> dict[str, Any] | None:
        """The record attached to a used value, once: every later or parallel call gets ``None``."""
        table = self._table
        live = self._where(namespace, value) & (table.c.expires_at > self.now()) & table.c.record.is_not(None)
        record = db.session.execute(select(table.c.record).where(live)).scalar()
        if record is None:
            return None
        taken = db.session.execute(update(table).where(live).values(record=None).returning(table.c.digest)).first()
        return dict(record) if taken is not None else None

    def forget(self, namespace: str, value: str) -> None:
        """Drop the record of a use that turned out not to be one (e.g. a code never issued), so
        values nobody was given do not fill the table."""
        db.session.execute(delete(self._table).where(self._where(namespace, value)))

    def _where(self, namespace: str, value: str) -> Any:
        table = self._table
        return (table.c.namespace == namespace) & (table.c.digest == secret_digest(value))
