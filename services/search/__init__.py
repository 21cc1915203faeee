"""Full-text search over the text of mail pages (SQLite FTS5 or PostgreSQL swedish text search)."""
