"""ESIA dialect: registered systems, their certificates, ESIA refresh tokens.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "esia_client",
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("redirect_uris", sa.JSON(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("token_alg", sa.String(length=20), nullable=False),
        sa.Column("require_confirmed", sa.Boolean(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_esia_client")),
    )
    op.create_table(
        "esia_client_certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("der", sa.LargeBinary(), nullable=False),
        sa.Column("key_algorithm", sa.String(length=20), nullable=False),
        sa.Column("sha256_hex", sa.String(length=64), nullable=False),
        sa.Column("gost_hex", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=400), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["esia_client.client_id"], name=op.f("fk_esia_client_certificate_client_id_esia_client")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_esia_client_certificate")),
    )
    with op.batch_alter_table("esia_client_certificate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_esia_client_certificate_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_esia_client_certificate_sha256_hex"), ["sha256_hex"], unique=False)
        batch_op.create_index(batch_op.f("ix_esia_client_certificate_gost_hex"), ["gost_hex"], unique=False)

    op.create_table(
        "esia_refresh_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=128), nullable=False),
        sa.Column("family_id", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("person_oid", sa.BigInteger(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("auth_time", sa.BigInteger(), nullable=False),
        sa.Column("amr", sa.JSON(), nullable=False),
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["esia_client.client_id"], name=op.f("fk_esia_refresh_token_client_id_esia_client")
        ),
        sa.ForeignKeyConstraint(["person_oid"], ["person.oid"], name=op.f("fk_esia_refresh_token_person_oid_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_esia_refresh_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_esia_refresh_token_token_hash")),
    )
    with op.batch_alter_table("esia_refresh_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_esia_refresh_token_family_id"), ["family_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_esia_refresh_token_person_oid"), ["person_oid"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("esia_refresh_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_esia_refresh_token_person_oid"))
        batch_op.drop_index(batch_op.f("ix_esia_refresh_token_family_id"))
    op.drop_table("esia_refresh_token")
    with op.batch_alter_table("esia_client_certificate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_esia_client_certificate_gost_hex"))
        batch_op.drop_index(batch_op.f("ix_esia_client_certificate_sha256_hex"))
        batch_op.drop_index(batch_op.f("ix_esia_client_certificate_client_id"))
    op.drop_table("esia_client_certificate")
    op.drop_table("esia_client")
