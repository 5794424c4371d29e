"""The EGISZ demo schema: people and logins, medical data, appointments, inbox, changes.

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
        "rp_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_sub", sa.String(length=64), nullable=False),
        sa.Column("actor_role", sa.String(length=32), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("token_jti", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rp_change_actor_sub", "rp_change", ["actor_sub"], unique=False)
    op.create_index("ix_rp_change_patient_id", "rp_change", ["patient_id"], unique=False)
    op.create_table(
        "rp_login_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("claims", sa.JSON(), nullable=False),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("id_token", sa.Text(), nullable=False),
        sa.Column("access_token", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rp_login_session_subject", "rp_login_session", ["subject"], unique=False)
    op.create_table(
        "rp_notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_snils", sa.String(length=11), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    op.create_index("ix_rp_notification_recipient_snils", "rp_notification", ["recipient_snils"], unique=False)
    op.create_table(
        "rp_organization",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("oid", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_folded", sa.String(length=300), nullable=False),
        sa.Column("region_code", sa.String(length=2), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
        sa.UniqueConstraint("oid"),
    )
    op.create_index("ix_rp_organization_region_code", "rp_organization", ["region_code"], unique=False)
    op.create_table(
        "rp_person",
        sa.Column("sub", sa.String(length=64), nullable=False),
        sa.Column("snils", sa.String(length=11), nullable=True),
        sa.Column("accepted_region", sa.String(length=2), nullable=True),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sub"),
    )
    op.create_index("ix_rp_person_snils", "rp_person", ["snils"], unique=False)
    op.create_table(
        "rp_requirement_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sub", sa.String(length=64), nullable=False),
        sa.Column("requirement_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("region_code", sa.String(length=2), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("token_jti", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rp_requirement_record_sub", "rp_requirement_record", ["sub"], unique=False)
    op.create_index(
        "uq_rp_requirement_active",
        "rp_requirement_record",
        ["sub", "requirement_id", "region_code"],
        unique=True,
        sqlite_where=sa.text("revoked_at IS NULL"),
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.create_table(
        "rp_uploaded_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sub", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rp_uploaded_document_sub", "rp_uploaded_document", ["sub"], unique=False)
    op.create_table(
        "rp_doctor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snils", sa.String(length=11), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("middle_name", sa.String(length=100), nullable=True),
        sa.Column("specialty", sa.String(length=200), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["rp_organization.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("snils"),
    )
    op.create_index("ix_rp_doctor_organization_id", "rp_doctor", ["organization_id"], unique=False)
    op.create_table(
        "rp_patient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snils", sa.String(length=11), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("middle_name", sa.String(length=100), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("oms_policy", sa.String(length=16), nullable=True),
        sa.Column("region_code", sa.String(length=2), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["rp_organization.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("snils"),
    )
    op.create_index("ix_rp_patient_organization_id", "rp_patient", ["organization_id"], unique=False)
    op.create_table(
        "rp_card_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("doc_type", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issuer", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["rp_patient.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rp_card_document_patient_id", "rp_card_document", ["patient_id"], unique=False)
    op.create_table(
        "rp_card_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("icd10", sa.String(length=8), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("doctor_id", sa.Integer(), nullable=True),
        sa.Column("author_sub", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("token_jti", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(
            ["doctor_id"],
            ["rp_doctor.id"],
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["rp_patient.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rp_card_entry_patient_id", "rp_card_entry", ["patient_id"], unique=False)
    op.create_table(
        "rp_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("doctor_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("starts", sa.Time(), nullable=False),
        sa.Column("ends", sa.Time(), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("created_by_sub", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["doctor_id"],
            ["rp_doctor.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("doctor_id", "day", "starts", name="uq_rp_schedule_doctor_day_start"),
    )
    op.create_index("ix_rp_schedule_doctor_id", "rp_schedule", ["doctor_id"], unique=False)
    op.create_table(
        "rp_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["rp_schedule.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("schedule_id", "starts_at", name="uq_rp_slot_schedule_start"),
    )
    op.create_index("ix_rp_slot_schedule_id", "rp_slot", ["schedule_id"], unique=False)
    op.create_table(
        "rp_appointment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("booked_by_sub", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["rp_patient.id"],
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["rp_slot.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rp_appointment_patient_id", "rp_appointment", ["patient_id"], unique=False)
    op.create_index("ix_rp_appointment_slot_id", "rp_appointment", ["slot_id"], unique=False)
    op.create_index(
        "uq_rp_appointment_live_slot",
        "rp_appointment",
        ["slot_id"],
        unique=True,
        sqlite_where=sa.text("status <> 'cancelled'"),
        postgresql_where=sa.text("status <> 'cancelled'"),
    )


def downgrade() -> None:
    op.drop_index("uq_rp_appointment_live_slot", table_name="rp_appointment")
    op.drop_index("ix_rp_appointment_slot_id", table_name="rp_appointment")
    op.drop_index("ix_rp_appointment_patient_id", table_name="rp_appointment")
    op.drop_table("rp_appointment")
    op.drop_index("ix_rp_slot_schedule_id", table_name="rp_slot")
    op.drop_table("rp_slot")
    op.drop_index("ix_rp_schedule_doctor_id", table_name="rp_schedule")
    op.drop_table("rp_schedule")
    op.drop_index("ix_rp_card_entry_patient_id", table_name="rp_card_entry")
    op.drop_table("rp_card_entry")
    op.drop_index("ix_rp_card_document_patient_id", table_name="rp_card_document")
    op.drop_table("rp_card_document")
    op.drop_index("ix_rp_patient_organization_id", table_name="rp_patient")
    op.drop_table("rp_patient")
    op.drop_index("ix_rp_doctor_organization_id", table_name="rp_doctor")
    op.drop_table("rp_doctor")
    op.drop_index("ix_rp_uploaded_document_sub", table_name="rp_uploaded_document")
    op.drop_table("rp_uploaded_document")
    op.drop_index("uq_rp_requirement_active", table_name="rp_requirement_record")
    op.drop_index("ix_rp_requirement_record_sub", table_name="rp_requirement_record")
    op.drop_table("rp_requirement_record")
    op.drop_index("ix_rp_person_snils", table_name="rp_person")
    op.drop_table("rp_person")
    op.drop_index("ix_rp_organization_region_code", table_name="rp_organization")
    op.drop_table("rp_organization")
    op.drop_index("ix_rp_notification_recipient_snils", table_name="rp_notification")
    op.drop_table("rp_notification")
    op.drop_index("ix_rp_login_session_subject", table_name="rp_login_session")
    op.drop_table("rp_login_session")
    op.drop_index("ix_rp_change_patient_id", table_name="rp_change")
    op.drop_index("ix_rp_change_actor_sub", table_name="rp_change")
    op.drop_table("rp_change")
