#!/usr/bin/env bash
# Starts a local PostgreSQL (Debian's package) for the test suite's second run and
# prints the URL to use as TEST_DATABASE_URL. Installs the server if it is missing.
set -euo pipefail
if ! command -v pg_lsclusters >/dev/null || [[ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
  pg_createcluster "$version" main >/dev/null
fi
pg_lsclusters -h | grep -q "^$version main .* online" || pg_ctlcluster "$version" main start
port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
su postgres -c "psql -q -p $port -tc \"SELECT 1 FROM pg_roles WHERE rolname='intranet_test'\"" | grep -q 1 ||
  su postgres -c "psql -q -p $port -c \"CREATE ROLE intranet_test LOGIN SUPERUSER PASSWORD 'intranet_test'\""
echo "postgresql+psycopg://intranet_test:intranet_test@127.0.0.1:$port/postgres"
