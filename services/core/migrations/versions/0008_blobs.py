"""blob backend in PostgreSQL: blob_objects (header, written last) and blob_chunks (content)

Created on every database so the schema is the same everywhere; only POSTHANTERING_BLOB_BACKEND=
postgres writes to them.

Revision ID: 0008_blobs
Revises: 0007_reliability
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_blobs"
down_revision = "0007_reliability"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blob_objects",
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_blob_objects"),
    )
    op.create_table(
        "blob_chunks",
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("key", "seq", name="pk_blob_chunks"),
    )


def downgrade() -> None:
    op.drop_table("blob_chunks")
    op.drop_table("blob_objects")
