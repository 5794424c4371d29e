"""Replay guards and access-token revocations in the database instead of the short-lived store:
used values (DPoP proof jti, client-assertion jti, redeemed authorization codes and what they
produced) and the access-token deny list (by jti, and by browser session sid). Entries that were
in Redis before this revision are not carried over: they cover tokens of at most
access_token_ttl seconds and proofs of at most a minute.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-15
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "used_value",
        sa.Column("namespace", sa.String(32), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("namespace", "digest", name="pk_used_value"),
    )
    op.create_index("ix_used_value_expires_at", "used_value", ["expires_at"])
    op.create_table(
        "access_token_revocation",
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "digest", name="pk_access_token_revocation"),
    )
    op.create_index("ix_access_token_revocation_expires_at", "access_token_revocation", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_access_token_revocation_expires_at", table_name="access_token_revocation")
    op.drop_table("access_token_revocation")
    op.drop_index("ix_used_value_expires_at", table_name="used_value")
    op.drop_table("used_value")
