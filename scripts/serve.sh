#!/usr/bin/env bash
# One command: set up, migrate and run Posthantering on the embedded default at http://127.0.0.1:8000
# (SQLite and Celery's SQLAlchemy transport under $POSTHANTERING_DATA_DIR, default ~/.local/share/posthantering).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/posthantering migrate
exec .venv/bin/posthantering serve "$@"
