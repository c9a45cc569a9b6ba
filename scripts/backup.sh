#!/usr/bin/env bash
# Backs up the database and the uploads into DIR (default ./backup), one dated set a run:
#   SQLite:      a consistent online copy (SQLite's backup API), safe while the app runs
#   PostgreSQL:  pg_dump in custom format (DATABASE_URL=postgresql+psycopg://…)
#   always:      instance/uploads and instance/secret_key as a tar.gz
# Restore: see the README ("Backup").
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-backup}
mkdir -p "$dir"
stamp=$(date +%F-%H%M)
instance=${INSTANCE_PATH:-instance}
url=${DATABASE_URL:-}
if [[ "$url" == postgresql* ]]; then
  pg_dump --format=custom --file "$dir/db-$stamp.dump" "${url/postgresql+psycopg/postgresql}"
else
  db=${url#sqlite:///}
  db=${db:-$instance/app.db}
  .venv/bin/python - "$db" "$dir/app-$stamp.db" <<'PY'
import sqlite3, sys
src, dst = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
with dst:
    src.backup(dst)
dst.close(); src.close()
PY
fi
tar czf "$dir/files-$stamp.tgz" -C "$instance" $(cd "$instance" && ls -d uploads secret_key 2>/dev/null)
echo "备份完成：$dir（$stamp）"
