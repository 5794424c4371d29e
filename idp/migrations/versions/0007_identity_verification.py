"""Identity verification records: when and how an account's data was confirmed, and a digest of
each confirmed field (idp.accounts.verification). Accounts already standard or confirmed are
recorded as verified ("legacy", or the evidence that raised them) with their current data.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import hashlib
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Frozen copy of idp.accounts.verification.SNAPSHOT_FIELDS and its digest, as of this revision.
SNAPSHOT_FIELDS = (
    "surname",
    "name",
    "patronymic",
    "birth_date",
    "gender",
    "snils",
    "passport_series",
    "passport_number",
    "passport_issue_date",
    "passport_issued_by",
    "oms_policy",
)
KNOWN_EVIDENCE = ("registry", "card", "qes", "in_person", "seed")


def _digest(field: str, value: object) -> str:
    text = value.isoformat() if isinstance(value, date | datetime) else ("" if value is None else str(value))
    return hashlib.sha256(f"{field}\x1f{text}".encode()).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("verification_evidence", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("verified_snapshot", sa.JSON(), nullable=True))
    _record_existing_levels()


def _record_existing_levels() -> None:
    person = sa.table(
        "person",
        sa.column("oid", sa.BigInteger()),
        sa.column("level", sa.String()),
        sa.column("level_evidence", sa.String()),
        sa.column("birth_date", sa.Date()),
        sa.column("passport_issue_date", sa.Date()),
        *(sa.column(f, sa.String()) for f in SNAPSHOT_FIELDS if f not in ("birth_date", "passport_issue_date")),
        sa.column("verified_at", sa.DateTime(timezone=True)),
        sa.column("verification_evidence", sa.JSON()),
        sa.column("verified_snapshot", sa.JSON()),
    )
    conn = op.get_bind()
    now = datetime.now(UTC)
    rows = conn.execute(sa.select(person).where(person.c.level.in_(["standard", "confirmed"]))).mappings().all()
    for row in rows:
        method = row["level_evidence"] if row["level_evidence"] in KNOWN_EVIDENCE else "legacy"
        conn.execute(
            person.update()
            .where(person.c.oid == row["oid"])
            .values(
                verified_at=now,
                verification_evidence=[{"method": method, "time": now.isoformat()}],
                verified_snapshot={f: _digest(f, row[f]) for f in SNAPSHOT_FIELDS},
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_column("verified_snapshot")
        batch.drop_column("verification_evidence")
        batch.drop_column("verified_at")
