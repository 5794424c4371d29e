"""Protocol completeness: per-client key material, PAR/DPoP requirements, back-channel
logout, access-token algorithm; refresh-token family start and DPoP binding.

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
    with op.batch_alter_table("oauth_client") as batch:
        batch.add_column(
            sa.Column("access_token_signed_response_alg", sa.String(10), nullable=False, server_default="RS256")
        )
        batch.add_column(sa.Column("jwks", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column("require_pushed_authorization_requests", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("dpop_bound_access_tokens", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("backchannel_logout_uri", sa.String(500), nullable=True))
        batch.add_column(sa.Column("registered_by", sa.String(20), nullable=False, server_default="cli"))
    with op.batch_alter_table("browser_session") as batch:
        batch.add_column(sa.Column("client_ids", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("refresh_token") as batch:
        batch.add_column(
            sa.Column("family_issued_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())
        )
        batch.add_column(sa.Column("dpop_jkt", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("browser_session") as batch:
        batch.drop_column("client_ids")
    with op.batch_alter_table("refresh_token") as batch:
        batch.drop_column("dpop_jkt")
        batch.drop_column("family_issued_at")
    with op.batch_alter_table("oauth_client") as batch:
        for column in (
            "registered_by",
            "backchannel_logout_uri",
            "dpop_bound_access_tokens",
            "require_pushed_authorization_requests",
            "jwks",
            "access_token_signed_response_alg",
        ):
            batch.drop_column(column)
