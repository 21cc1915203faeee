"""early routing of multi-page letters: mail_items.text_pending

Revision ID: 0014_early_route
Revises: 0015_registration
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_early_route"
down_revision = "0015_registration"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mail_items") as batch:
        batch.add_column(sa.Column("text_pending", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.create_index("ix_mail_items_text_pending", ["text_pending"])


def downgrade() -> None:
    with op.batch_alter_table("mail_items") as batch:
        batch.drop_index("ix_mail_items_text_pending")
        batch.drop_column("text_pending")
