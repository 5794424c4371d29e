"""Initial schema: accounts, clients, consents, refresh tokens, sessions, outbox, audit.

The audit table is append-only at the database level too: triggers refuse UPDATE and
DELETE on SQLite and PostgreSQL.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event", sa.String(length=60), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("person_oid", sa.BigInteger(), nullable=True),
        sa.Column("client_id", sa.String(length=64), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_event"), ["event"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_person_oid"), ["person_oid"], unique=False)

    op.create_table(
        "oauth_client",
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("client_secret_hash", sa.String(length=128), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("redirect_uris", sa.JSON(), nullable=False),
        sa.Column("post_logout_redirect_uris", sa.JSON(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("grant_types", sa.JSON(), nullable=False),
        sa.Column("token_endpoint_auth_method", sa.String(length=40), nullable=False),
        sa.Column("id_token_signed_response_alg", sa.String(length=10), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_oauth_client")),
    )
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_message_recipient"), ["recipient"], unique=False)

    op.create_table(
        "person",
        sa.Column("oid", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("surname", sa.String(length=60), nullable=True),
        sa.Column("name", sa.String(length=60), nullable=True),
        sa.Column("patronymic", sa.String(length=60), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("gender", sa.String(length=1), nullable=True),
        sa.Column("snils", sa.String(length=11), nullable=True),
        sa.Column("inn", sa.String(length=12), nullable=True),
        sa.Column("passport_series", sa.String(length=4), nullable=True),
        sa.Column("passport_number", sa.String(length=6), nullable=True),
        sa.Column("passport_issue_date", sa.Date(), nullable=True),
        sa.Column("passport_issued_by", sa.String(length=200), nullable=True),
        sa.Column("oms_policy", sa.String(length=16), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("phone_verified", sa.Boolean(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("email_verified", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("region_code", sa.String(length=2), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("level", sa.String(length=12), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("organization_oid", sa.String(length=64), nullable=True),
        sa.Column("organization_name", sa.String(length=200), nullable=True),
        sa.Column("specialty", sa.String(length=100), nullable=True),
        sa.Column("regional_doctor_certificate", sa.Boolean(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("oid", name=op.f("pk_person")),
        sa.UniqueConstraint("email", name=op.f("uq_person_email")),
        sa.UniqueConstraint("phone", name=op.f("uq_person_phone")),
        sa.UniqueConstraint("snils", name=op.f("uq_person_snils")),
    )
    op.create_table(
        "browser_session",
        sa.Column("id_hash", sa.String(length=128), nullable=False),
        sa.Column("person_oid", sa.BigInteger(), nullable=False),
        sa.Column("auth_time", sa.BigInteger(), nullable=False),
        sa.Column("amr", sa.JSON(), nullable=False),
        sa.Column("acr", sa.String(length=40), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["person_oid"], ["person.oid"], name=op.f("fk_browser_session_person_oid_person")),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_browser_session")),
    )
    with op.batch_alter_table("browser_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_browser_session_person_oid"), ["person_oid"], unique=False)

    op.create_table(
        "consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_oid", sa.BigInteger(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["oauth_client.client_id"], name=op.f("fk_consent_client_id_oauth_client")
        ),
        sa.ForeignKeyConstraint(["person_oid"], ["person.oid"], name=op.f("fk_consent_person_oid_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent")),
    )
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_person_oid"), ["person_oid"], unique=False)

    op.create_table(
        "refresh_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=128), nullable=False),
        sa.Column("family_id", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("person_oid", sa.BigInteger(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("auth_time", sa.BigInteger(), nullable=False),
        sa.Column("amr", sa.JSON(), nullable=False),
        sa.Column("acr", sa.String(length=40), nullable=False),
        sa.Column("session_id", sa.String(length=128), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["oauth_client.client_id"], name=op.f("fk_refresh_token_client_id_oauth_client")
        ),
        sa.ForeignKeyConstraint(["person_oid"], ["person.oid"], name=op.f("fk_refresh_token_person_oid_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_token_token_hash")),
    )
    with op.batch_alter_table("refresh_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refresh_token_family_id"), ["family_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_refresh_token_person_oid"), ["person_oid"], unique=False)

    _append_only()


APPEND_ONLY_SQLITE = [
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
]
APPEND_ONLY_POSTGRES = [
    "CREATE FUNCTION audit_event_refuse() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$",
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_refuse()",
]


def _append_only() -> None:
    dialect = op.get_bind().dialect.name
    statements = {"sqlite": APPEND_ONLY_SQLITE, "postgresql": APPEND_ONLY_POSTGRES}.get(dialect, [])
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    with op.batch_alter_table("refresh_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refresh_token_person_oid"))
        batch_op.drop_index(batch_op.f("ix_refresh_token_family_id"))

    op.drop_table("refresh_token")
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_person_oid"))

    op.drop_table("consent")
    with op.batch_alter_table("browser_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_browser_session_person_oid"))

    op.drop_table("browser_session")
    op.drop_table("person")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_recipient"))

    op.drop_table("outbox_message")
    op.drop_table("oauth_client")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_person_oid"))
        batch_op.drop_index(batch_op.f("ix_audit_event_event"))
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))

    op.drop_table("audit_event")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_event_refuse()")
