"""The RP's database connection and its preparation at start-up (migrations, demo data)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event

from relying_party_demo import migrate, seeding
from relying_party_demo.models import db
from relying_party_demo.settings import RpSettings

log = logging.getLogger(__name__)


def engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        # Writers wait for each other (up to 30 s) instead of failing with "database is locked".
        return {"connect_args": {"check_same_thread": False, "timeout": 30}}
    return {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def init_database(app: Flask, settings: RpSettings, *, now: Callable[[], datetime]) -> None:
    url = settings.resolved_database_url()
    _make_sqlite_directory(url)
    db.init_app(app)
    with app.app_context():
        if url.startswith("sqlite"):
            event.listen(db.engine, "connect", _sqlite_pragmas)
        prepare(settings, now=now)
        # gunicorn forks workers after this (preload_app): they must not share connections.
        db.engine.dispose()


def prepare(settings: RpSettings, *, now: Callable[[], datetime]) -> None:
    """Apply the migrations and add the missing demo data (schedules counted from ``now()``)."""
    url = settings.resolved_database_url()
    if settings.migrate_on_start:
        migrate.upgrade(url)
    if settings.seed_demo_data:
        with migrate.migration_lock(url):
            report = seeding.seed(settings.seed_file, now=now())
        log.info("demo data: %s", report)


def _make_sqlite_directory(url: str) -> None:
    prefix = "sqlite:///"
    if url.startswith(prefix) and ":memory:" not in url:
        Path(url[len(prefix) :]).parent.mkdir(parents=True, exist_ok=True)
