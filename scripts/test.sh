#!/usr/bin/env bash
# The test command: installs Chromium, poppler and the test requirements, runs the suite.
# Extra arguments go to pytest (e.g. scripts/test.sh -k login).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-packages.sh --test
bash scripts/venv.sh requirements-dev.txt
exec .venv/bin/python -m pytest "$@"
