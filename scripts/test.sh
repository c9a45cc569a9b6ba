#!/usr/bin/env bash
# The test command: installs Chromium, poppler, PostgreSQL, Node and Java and the test
# requirements (Python and npm), then
# runs the whole suite on SQLite (browser tests included) and, side by side with it, the
# non-browser tests a second time on PostgreSQL (its output follows the SQLite run's).
# Extra arguments go to both pytest runs (e.g. scripts/test.sh -k login).
# TEST_POSTGRES=0 skips the PostgreSQL run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-packages.sh --test
bash scripts/venv.sh requirements-dev.txt
# axe-core and the Nu Html Checker (vnu.jar), pinned by package-lock.json, into the
# git-ignored node_modules/; their install scripts are not needed (vnu runs on Debian's Java).
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
pg_pid=""
if [[ "${TEST_POSTGRES:-1}" != "0" ]]; then
  url=$(bash scripts/start-postgres.sh)
  pg_log=$(mktemp)
  trap 'rm -f "$pg_log"' EXIT
  # Two cores: the PostgreSQL run (mostly waiting on the server) overlaps the SQLite run.
  TEST_DATABASE_URL="$url" .venv/bin/python -m pytest -p no:cacheprovider -m "not browser" "$@" \
    >"$pg_log" 2>&1 &
  pg_pid=$!
fi
echo "== tests on SQLite =="
sqlite_rc=0
.venv/bin/python -m pytest "$@" || sqlite_rc=$?
pg_rc=0
if [[ -n "$pg_pid" ]]; then
  wait "$pg_pid" || pg_rc=$?
  echo "== tests on PostgreSQL =="
  cat "$pg_log"
fi
exit $(( sqlite_rc != 0 ? sqlite_rc : pg_rc ))
