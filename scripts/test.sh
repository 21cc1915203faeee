#!/usr/bin/env bash
# One command: set up everything the tests need, check style, run the whole test suite
# (unit tests, and integration tests with real Celery workers on SQLite and on PostgreSQL + Redis).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
