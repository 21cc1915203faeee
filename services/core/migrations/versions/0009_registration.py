"""registration: the registration record per item and the export delivery log

Revision ID: 0009_registration
Revises: 0007_reliability
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_registration"
down_revision = "0008_blobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registration_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("arrival_date", sa.Date(), nullable=False),
        sa.Column("intake_channel", sa.String(length=12), nullable=False),
        sa.Column("arrival_reason", sa.Text(), nullable=False),
        sa.Column("arrival_overridden", sa.Boolean(), nullable=False),
        sa.Column("secret", sa.Boolean(), nullable=False),
        sa.Column("do_not_open", sa.Boolean(), nullable=False),
        sa.Column("confirmed_by", sa.String(length=120), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("exported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("export_pending", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["mail_items.id"],
            name=op.f("fk_registration_records_item_id_mail_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_records")),
        sa.UniqueConstraint("item_id", name=op.f("uq_registration_records_item_id")),
    )
    op.create_index("ix_registration_records_arrival_date", "registration_records", ["arrival_date"])
    op.create_index(
        op.f("ix_registration_records_export_pending"), "registration_records", ["export_pending"], unique=False
    )
    op.create_table(
        "export_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("connector", sa.String(length=40), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["mail_items.id"], name=op.f("fk_export_deliveries_item_id_mail_items"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_deliveries")),
    )
    op.create_index(op.f("ix_export_deliveries_item_id"), "export_deliveries", ["item_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_export_deliveries_item_id"), table_name="export_deliveries")
    op.drop_table("export_deliveries")
    op.drop_index(op.f("ix_registration_records_export_pending"), table_name="registration_records")
    op.drop_index("ix_registration_records_arrival_date", table_name="registration_records")
    op.drop_table("registration_records")
