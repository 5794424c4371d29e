"""Back-channel logout: the IdP session id of each login, and logout tokens already seen.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rp_login_session") as batch:
        batch.add_column(sa.Column("idp_sid", sa.String(length=128), nullable=True))
        batch.create_index("ix_rp_login_session_idp_sid", ["idp_sid"], unique=False)
    op.create_table(
        "rp_logout_token",
        sa.Column("jti", sa.String(length=256), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("jti"),
    )


def downgrade() -> None:
    op.drop_table("rp_logout_token")
    with op.batch_alter_table("rp_login_session") as batch:
        batch.drop_index("ix_rp_login_session_idp_sid")
        batch.drop_column("idp_sid")
