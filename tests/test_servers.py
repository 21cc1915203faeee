"""The server fixtures themselves: a fresh PostgreSQL database and a Redis database per test."""

from __future__ import annotations

import psycopg
import redis


def test_postgres_database_is_fresh_and_migratable(postgres_url: str) -> None:
    from services.core.migrate import upgrade

    upgrade(postgres_url)
    with psycopg.connect(postgres_url.replace("+psycopg", "")) as conn:
        tables = {r[0] for r in conn.execute("select tablename from pg_tables where schemaname='public'")}
    assert {"mail_items", "events", "departments", "users", "api_tokens", "pages"} <= tables


def test_redis_database_is_empty(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    assert client.ping()
    client.set("k", "v")
    assert client.get("k") == b"v"
