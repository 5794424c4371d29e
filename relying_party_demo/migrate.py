"""Apply the RP's Alembic migrations (at start-up, or ``python -m relying_party_demo.cli init``).

Two processes starting at once must not both create the schema: on PostgreSQL a session
advisory lock serialises them, on SQLite an exclusive lock on a file next to the database.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# An arbitrary constant that names "the RP's schema migration" among advisory locks.
PG_LOCK_KEY = 0x6E615F7270  # "rp" + "na"


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the RP's schema to ``revision``; safe to call from several processes at once."""
    with migration_lock(database_url):
        command.upgrade(alembic_config(database_url), revision)


@contextlib.contextmanager
def migration_lock(database_url: str) -> Iterator[None]:
    if database_url.startswith("postgresql"):
        engine = create_engine(database_url)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": PG_LOCK_KEY})
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_LOCK_KEY})
        finally:
            engine.dispose()
        return
    path = _sqlite_path(database_url)
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{path}.migrate-lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _sqlite_path(database_url: str) -> Path | None:
    prefix = "sqlite:///"
    if not database_url.startswith(prefix) or ":memory:" in database_url:
        return None
    return Path(database_url[len(prefix) :])
