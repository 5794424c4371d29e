"""A PostgreSQL test database emptied between tests."""

from __future__ import annotations

from sqlalchemy import create_engine, text


def empty_tables(url: str) -> None:
    """Truncate every table of the database at ``url`` but Alembic's version table."""
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = [
            r[0]
            for r in conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'")
            )
        ]
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    engine.dispose()
