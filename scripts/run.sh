#!/usr/bin/env bash
# The run command: installs what the app needs, prepares the database and starts gunicorn
# and, beside it, the background worker (group robot pushes, the hourly and nightly jobs).
# Safe to run again: data is kept, migrations are applied, the server starts again.
# Stopping it (Ctrl+C, SIGTERM) stops both; when either ends, the other is stopped too.
#   HOST (default 0.0.0.0), PORT (default 8000), WEB_WORKERS (default 4), WEB_THREADS (default 2)
#   RUN_WORKER (default 1; 0 when the worker runs elsewhere, e.g. deploy/intranet-worker.service)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-packages.sh
bash scripts/venv.sh requirements.txt
# Migrate, load the handbook, create the first admin: once, before any worker starts.
.venv/bin/flask --app wsgi init
echo "启动服务：http://${HOST:-0.0.0.0}:${PORT:-8000}/  （Ctrl+C 停止）"
pids=()
stop() {
  trap - INT TERM EXIT
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap 'stop; exit 0' INT TERM
trap stop EXIT
.venv/bin/gunicorn \
  --bind "${HOST:-0.0.0.0}:${PORT:-8000}" \
  --workers "${WEB_WORKERS:-4}" --threads "${WEB_THREADS:-2}" \
  --timeout 120 --access-logfile - \
  wsgi:app &
pids+=($!)
if [[ "${RUN_WORKER:-1}" != 0 ]]; then
  .venv/bin/flask --app wsgi worker &
  pids+=($!)
fi
# Whichever ends first (a crash, a kill), the other is stopped and the script ends with
# its status, so a supervisor (systemd's Restart=) starts both again.
set +e
wait -n "${pids[@]}"
status=$?
set -e
exit "$status"
