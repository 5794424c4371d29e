"""DPoP proofs seen at the API (replay protection).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rp_dpop_proof",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jkt", sa.String(length=64), nullable=False),
        sa.Column("jti", sa.String(length=256), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("jkt", "jti", name="uq_rp_dpop_proof"),
    )
    op.create_index("ix_rp_dpop_proof_expires_at", "rp_dpop_proof", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_rp_dpop_proof_expires_at", table_name="rp_dpop_proof")
    op.drop_table("rp_dpop_proof")
