#!/usr/bin/env bash
# The test command: installs Chromium, poppler, PostgreSQL and the test requirements, then
# runs the whole suite on SQLite (browser tests included), and the non-browser tests a
# second time on PostgreSQL. Extra arguments go to pytest (e.g. scripts/test.sh -k login).
# TEST_POSTGRES=0 skips the PostgreSQL run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-packages.sh --test
bash scripts/venv.sh requirements-dev.txt
echo "== tests on SQLite =="
.venv/bin/python -m pytest "$@"
if [[ "${TEST_POSTGRES:-1}" != "0" ]]; then
  url=$(bash scripts/start-postgres.sh)
  echo "== tests on PostgreSQL =="
  TEST_DATABASE_URL="$url" .venv/bin/python -m pytest -m "not browser" "$@"
fi
