#!/usr/bin/env bash
# The load benchmark (issue 7): the real server (gunicorn) under wrk, on SQLite and on PostgreSQL.
# Each database gets a fresh temporary folder (and PostgreSQL a throwaway server in it, as
# scripts/test-postgres.sh starts one), removed on exit. Settings, all optional:
#   BENCH_CLIENTS=2000          dataset size (the issue's runs: 100000 on PostgreSQL, 10000 on SQLite)
#   BENCH_DATABASES="sqlite postgres"
#   BENCH_SECONDS=10 BENCH_WARMUP=3   seconds per endpoint, after the warm-up
#   BENCH_USERS_POSTGRES=20 BENCH_USERS_SQLITE=8   concurrent connections
#   BENCH_PG_FAST=1             PostgreSQL without fsync (as the test suite); default is durable
#   OPENIPT_WORKERS=2 OPENIPT_THREADS=4   gunicorn, as `openipt serve`
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v wrk >/dev/null; then
  echo "Installing Debian's wrk (the load generator)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

leg_sqlite() (
  OPENIPT_VAR_DIR="$(mktemp -d -t openipt-load-XXXXXX)"
  export OPENIPT_VAR_DIR
  trap 'rm -rf "$OPENIPT_VAR_DIR"' EXIT
  unset DATABASE_URL
  .venv/bin/python benchmarks/load/bench.py sqlite
)

leg_postgres() (
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

  PGDIR="$(mktemp -d -t openipt-load-pg-XXXXXX)"
  chown postgres "$PGDIR"
  PGPORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
  PASSWORD="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
  as_pg() { su postgres -s /bin/bash -c "$*"; }
  OPENIPT_VAR_DIR="$(mktemp -d -t openipt-load-XXXXXX)"
  export OPENIPT_VAR_DIR
  cleanup() {
    as_pg "$PGBIN/pg_ctl -D '$PGDIR/data' -m immediate stop" >/dev/null 2>&1 || true
    rm -rf "$PGDIR" "$OPENIPT_VAR_DIR"
  }
  trap cleanup EXIT

  OPTIONS="-p $PGPORT -k '$PGDIR' -c listen_addresses=127.0.0.1"
  if [ "${BENCH_PG_FAST:-0}" = 1 ]; then
    OPTIONS="$OPTIONS -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  echo "$PASSWORD" > "$PGDIR/pw" && chown postgres "$PGDIR/pw"
  as_pg "$PGBIN/initdb -D '$PGDIR/data' -U postgres --auth=scram-sha-256 --pwfile='$PGDIR/pw' -E UTF8 --locale=C.UTF-8" >/dev/null
  as_pg "$PGBIN/pg_ctl -D '$PGDIR/data' -l '$PGDIR/log' -w -o \"$OPTIONS\" start" >/dev/null
  PGPASSWORD="$PASSWORD" "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres openipt

  export DATABASE_URL="postgres://postgres:$PASSWORD@127.0.0.1:$PGPORT/openipt"
  .venv/bin/python benchmarks/load/bench.py postgres
  # Item 3: every query of the core pages uses an index (EXPLAIN on the same scaled database).
  DJANGO_SETTINGS_MODULE=openipt.test_settings ALLOWED_HOSTS=testserver OPENIPT_PLAIN_STATIC=1 \
    .venv/bin/python benchmarks/explain.py || echo "EXPLAIN: some core-page queries scan a big table (above)"
)

for db in ${BENCH_DATABASES:-sqlite postgres}; do
  case "$db" in
    sqlite) leg_sqlite ;;
    postgres) leg_postgres ;;
    *) echo "BENCH_DATABASES: unknown database '$db' (sqlite or postgres)"; exit 1 ;;
  esac
done
