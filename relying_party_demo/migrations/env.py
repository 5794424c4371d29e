"""Alembic environment of the RP: its own migrations and its own version table.

The URL comes from :mod:`relying_party_demo.migrate`. ``rp_alembic_version`` keeps the RP's
history apart from the IdP's, so both may live in one PostgreSQL database.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import relying_party_demo.appointments.models
import relying_party_demo.medical.models  # noqa: F401  (registers the tables on Base.metadata)
from relying_party_demo.models import Base

VERSION_TABLE = "rp_alembic_version"
config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table=VERSION_TABLE,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        version_table=VERSION_TABLE,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
