"""A person is linked to a medical record only by a SNILS the IdP confirmed: when it was
confirmed, a changed SNILS waiting for the person's confirmation, and the last identity check.
Links made before this revision were made from unconfirmed claims: they link nothing until the
person's next login confirms them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rp_person") as batch:
        batch.add_column(sa.Column("snils_verified_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("presented_snils", sa.String(length=11), nullable=True))
        batch.add_column(sa.Column("identity", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("checked_jti", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rp_person") as batch:
        batch.drop_column("checked_jti")
        batch.drop_column("identity")
        batch.drop_column("presented_snils")
        batch.drop_column("snils_verified_at")
