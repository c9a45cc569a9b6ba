#!/usr/bin/env bash
# Creates .venv (if missing) and installs the given requirements file into it.
# Skips pip when the requirements have not changed since the last successful install.
#   usage: scripts/venv.sh requirements.txt|requirements-dev.txt
set -euo pipefail
cd "$(dirname "$0")/.."
req="${1:-requirements.txt}"
PYTHON="${PYTHON:-python3}"
if [[ ! -x .venv/bin/python ]]; then
  "$PYTHON" -m venv .venv || {
    echo "无法创建虚拟环境：请安装 python3-venv（apt-get install python3-venv）。" >&2; exit 1; }
fi
stamp=".venv/.installed-$(basename "$req")"
digest=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$digest" ]]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$req"
  echo "$digest" > "$stamp"
fi
