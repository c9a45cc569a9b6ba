#!/usr/bin/env bash
# Backs up the database and the uploads into DIR (default ./backup), one dated set a run:
#   SQLite:      a consistent online copy (SQLite's backup API), safe while the app runs
#   PostgreSQL:  pg_dump in custom format (DATABASE_URL=postgresql+psycopg://…)
#   always:      instance/uploads and instance/secret_key as a tar.gz
# Restore: see the README ("Backup"); tests/test_backup.py runs both round trips.
# The files hold password hashes and the secret key: they are written 0600 into a 0700
# folder, under names unique to the second (a second run in the same second gets a suffix),
# and sets older than BACKUP_KEEP_DAYS (default 30; 0 keeps everything) are removed.
set -euo pipefail
cd "$(dirname "$0")/.."
umask 077
dir=${1:-backup}
mkdir -p "$dir"
chmod 700 "$dir"
stamp=$(date +%F-%H%M%S)
n=1
while compgen -G "$dir/*-$stamp.*" >/dev/null; do
  n=$((n + 1))
  stamp="$(date +%F-%H%M%S)-$n"
done
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
keep=${BACKUP_KEEP_DAYS:-30}
if [[ "$keep" -gt 0 ]]; then
  find "$dir" -maxdepth 1 -type f \( -name 'app-*.db' -o -name 'db-*.dump' -o -name 'files-*.tgz' \) \
    -mtime +"$keep" -delete
fi
echo "备份完成：$dir（$stamp）"
