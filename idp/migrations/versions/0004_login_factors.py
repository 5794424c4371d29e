"""Login factors and account security: enrolled factors (TOTP, passkeys, the Gosuslugi app,
bank cards), password history, known devices, the last used factor and level evidence.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enrolled_factor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_oid", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("secret", sa.String(length=500), nullable=True),
        sa.Column("credential_id", sa.String(length=1400), nullable=True),
        sa.Column("public_key", sa.Text(), nullable=True),
        sa.Column("sign_count", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["person_oid"], ["person.oid"], name=op.f("fk_enrolled_factor_person_oid_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolled_factor")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_enrolled_factor_credential_id")),
    )
    op.create_index(op.f("ix_enrolled_factor_person_oid"), "enrolled_factor", ["person_oid"], unique=False)
    op.create_table(
        "password_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_oid", sa.BigInteger(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_oid"], ["person.oid"], name=op.f("fk_password_history_person_oid_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_history")),
    )
    op.create_index(op.f("ix_password_history_person_oid"), "password_history", ["person_oid"], unique=False)
    op.create_table(
        "known_device",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_oid", sa.BigInteger(), nullable=False),
        sa.Column("device_digest", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_oid"], ["person.oid"], name=op.f("fk_known_device_person_oid_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_known_device")),
    )
    op.create_index(op.f("ix_known_device_person_oid"), "known_device", ["person_oid"], unique=False)
    op.create_index(op.f("ix_known_device_device_digest"), "known_device", ["device_digest"], unique=False)
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("last_factor", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("level_evidence", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.drop_column("level_evidence")
        batch.drop_column("password_changed_at")
        batch.drop_column("last_factor")
    op.drop_table("known_device")
    op.drop_table("password_history")
    op.drop_table("enrolled_factor")
