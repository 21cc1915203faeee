"""full-text search over page text for the web UI

SQLite: an FTS5 table over pages.text (external content, rowid = pages.id) kept in sync by triggers,
so every page the extraction step writes is searchable at once. PostgreSQL: a GIN index on
to_tsvector('swedish', text). services/search queries whichever exists.

Revision ID: 0003_ui
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0003_ui"
down_revision = "0005_routing"
branch_labels = None
depends_on = None

SQLITE_UP = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS pages_fts USING fts5(text, content='pages', content_rowid='id')",
    """CREATE TRIGGER IF NOT EXISTS pages_fts_ai AFTER INSERT ON pages BEGIN
        INSERT INTO pages_fts(rowid, text) VALUES (new.id, new.text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS pages_fts_ad AFTER DELETE ON pages BEGIN
        INSERT INTO pages_fts(pages_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS pages_fts_au AFTER UPDATE OF text ON pages BEGIN
        INSERT INTO pages_fts(pages_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO pages_fts(rowid, text) VALUES (new.id, new.text);
    END""",
    "INSERT INTO pages_fts(pages_fts) VALUES ('rebuild')",  # pages written before this migration
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS pages_fts_au",
    "DROP TRIGGER IF EXISTS pages_fts_ad",
    "DROP TRIGGER IF EXISTS pages_fts_ai",
    "DROP TABLE IF EXISTS pages_fts",
)
PG_UP = ("CREATE INDEX IF NOT EXISTS ix_pages_text_swedish ON pages USING gin (to_tsvector('swedish', text))",)
PG_DOWN = ("DROP INDEX IF EXISTS ix_pages_text_swedish",)


def _run(sqlite: tuple[str, ...], postgresql: tuple[str, ...]) -> None:
    dialect = op.get_bind().dialect.name
    for statement in sqlite if dialect == "sqlite" else postgresql if dialect == "postgresql" else ():
        op.execute(statement)


def upgrade() -> None:
    _run(SQLITE_UP, PG_UP)


def downgrade() -> None:
    _run(SQLITE_DOWN, PG_DOWN)
