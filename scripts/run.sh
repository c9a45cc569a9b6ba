#!/usr/bin/env bash
# The run command: installs what the app needs, prepares the database and starts gunicorn.
# Safe to run again: data is kept, migrations are applied, the server starts again.
#   HOST (default 0.0.0.0), PORT (default 8000), WEB_WORKERS (default 2), WEB_THREADS (default 4)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-packages.sh
bash scripts/venv.sh requirements.txt
# Migrate, load the handbook, create the first admin: once, before any worker starts.
.venv/bin/flask --app wsgi init
echo "启动服务：http://${HOST:-0.0.0.0}:${PORT:-8000}/  （Ctrl+C 停止）"
exec .venv/bin/gunicorn \
  --bind "${HOST:-0.0.0.0}:${PORT:-8000}" \
  --workers "${WEB_WORKERS:-2}" --threads "${WEB_THREADS:-4}" \
  --timeout 120 --access-logfile - \
  wsgi:app
