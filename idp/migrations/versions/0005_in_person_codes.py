"""Account levels: one-time in-person confirmation codes (stored as digests).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "in_person_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_oid", sa.BigInteger(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_oid"], ["person.oid"], name=op.f("fk_in_person_code_person_oid_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_in_person_code")),
    )
    op.create_index(op.f("ix_in_person_code_person_oid"), "in_person_code", ["person_oid"], unique=False)


def downgrade() -> None:
    op.drop_table("in_person_code")
