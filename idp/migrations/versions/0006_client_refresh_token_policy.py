"""OpenID Connect offline access: a client gets refresh tokens when the person granted
``offline_access``, or always when it is registered with ``always_issue_refresh_token``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("oauth_client") as batch:
        batch.add_column(
            sa.Column("always_issue_refresh_token", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("oauth_client") as batch:
        batch.drop_column("always_issue_refresh_token")
