"""separation of scanned piles: batches, mail_items.batch_id/source_pages, pages.signals

Revision ID: 0013_separation
Revises: 0009_registration
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_separation"
down_revision = "0009_registration"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_item_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=500), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("duplex", sa.Boolean(), nullable=False),
        sa.Column("decision", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_item_id"],
            ["mail_items.id"],
            name=op.f("fk_batches_source_item_id_mail_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
        sa.UniqueConstraint("source_item_id", name=op.f("uq_batches_source_item_id")),
    )
    op.create_index(op.f("ix_batches_status"), "batches", ["status"], unique=False)
    with op.batch_alter_table("mail_items") as batch:
        batch.add_column(sa.Column("batch_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("source_pages", sa.JSON(), nullable=True))
        batch.create_index(op.f("ix_mail_items_batch_id"), ["batch_id"], unique=False)
    with op.batch_alter_table("pages") as batch:
        batch.add_column(sa.Column("signals", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("signals")
    with op.batch_alter_table("mail_items") as batch:
        batch.drop_index(op.f("ix_mail_items_batch_id"))
        batch.drop_column("source_pages")
        batch.drop_column("batch_id")
    op.drop_index(op.f("ix_batches_status"), table_name="batches")
    op.drop_table("batches")
