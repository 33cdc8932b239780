#!/usr/bin/env bash
# The PostgreSQL leg: a throwaway server in a temporary folder, the whole suite against it.
# PostgreSQL refuses to run as root, so the server runs as the `postgres` system user.
set -euo pipefail
cd "$(dirname "$0")/.."

find_pg_bin() {
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  command -v initdb >/dev/null && dirname "$(command -v initdb)"
}
PGBIN="$(find_pg_bin || true)"
if [ -z "$PGBIN" ]; then
  echo "Installing Debian's postgresql (initdb/pg_ctl not found)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  PGBIN="$(find_pg_bin)"
fi
id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql --shell /bin/bash postgres

PGDIR="$(mktemp -d -t openipt-pg-XXXXXX)"
chown postgres "$PGDIR"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
PASSWORD="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
as_pg() { su postgres -s /bin/bash -c "$*"; }
cleanup() { as_pg "$PGBIN/pg_ctl -D '$PGDIR/data' -m immediate stop" >/dev/null 2>&1 || true; rm -rf "$PGDIR"; }
trap cleanup EXIT

echo "$PASSWORD" > "$PGDIR/pw" && chown postgres "$PGDIR/pw"
as_pg "$PGBIN/initdb -D '$PGDIR/data' -U postgres --auth=scram-sha-256 --pwfile='$PGDIR/pw' -E UTF8 --locale=C.UTF-8" >/dev/null
as_pg "$PGBIN/pg_ctl -D '$PGDIR/data' -l '$PGDIR/log' -w -o \"-p $PORT -k '$PGDIR' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start" >/dev/null

export DATABASE_URL="postgres://postgres:$PASSWORD@127.0.0.1:$PORT/openipt"
export OPENIPT_VAR_DIR="${OPENIPT_VAR_DIR:-$(mktemp -d -t openipt-test-XXXXXX)}"
.venv/bin/pytest -n 2 -q ${OPENIPT_JUNIT_DIR:+--junitxml="$OPENIPT_JUNIT_DIR/postgres.xml"} "$@"  # paths: a part of the suite
