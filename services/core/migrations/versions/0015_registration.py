"""registration (issue 12, part 2): the intake channel of an item as it came in (per inbox subfolder),
and the export's give-up state (attempts, next try, failure with its reason)

Revision ID: 0015_registration
Revises: 0011_workstation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_registration"
down_revision = "0011_workstation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mail_items") as batch:
        batch.add_column(sa.Column("intake_channel", sa.String(length=12), nullable=True))
    with op.batch_alter_table("registration_records") as batch:
        batch.add_column(sa.Column("export_attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("export_started_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("export_next_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("export_failed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("export_failure", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("registration_records") as batch:
        for name in ("export_failure", "export_failed_at", "export_next_at", "export_started_at", "export_attempts"):
            batch.drop_column(name)
    with op.batch_alter_table("mail_items") as batch:
        batch.drop_column("intake_channel")
