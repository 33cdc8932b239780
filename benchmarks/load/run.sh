#!/usr/bin/env bash
# The load benchmark (issue 7): the real server (gunicorn) under wrk, on SQLite and on PostgreSQL.
# Each database gets a fresh temporary folder (and PostgreSQL a throwaway server in it, as
# scripts/test-postgres.sh starts one), removed on exit. Settings, all optional:
#   BENCH_CLIENTS=2000          dataset size (the issue's runs: 100000 on PostgreSQL, 10000 on SQLite)
#   BENCH_DATABASES="sqlite postgres"
#   BENCH_SECONDS=10 BENCH_WARMUP=3   seconds per endpoint, after the warm-up
#   BENCH_USERS_POSTGRES=20 BENCH_USERS_SQLITE=8   concurrent connections
#   BENCH_PG_FAST=1             PostgreSQL without fsync (as the test suite); default is durable
#   BENCH_DATABASE_URL=postgres://…   an existing PostgreSQL database already built with
#                               `openipt demo --scale N` (with OPENIPT_DEMO_PASSWORD): measured as
#                               it is, not rebuilt (a 100,000-client programme takes a while to build)
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
  OPENIPT_VAR_DIR="$(mktemp -d -t openipt-load-XXXXXX)"
  export OPENIPT_VAR_DIR
  if [ -n "${BENCH_DATABASE_URL:-}" ]; then
    export DATABASE_URL="$BENCH_DATABASE_URL"
    trap 'rm -rf "$OPENIPT_VAR_DIR"' EXIT
  else
    PG_FAST="${BENCH_PG_FAST:-0}"
    # shellcheck source=scripts/pg-throwaway.sh
    source scripts/pg-throwaway.sh
    trap 'pg_cleanup; rm -rf "$OPENIPT_VAR_DIR"' EXIT
  fi
  .venv/bin/python benchmarks/load/bench.py postgres
  results="$(cat "$OPENIPT_VAR_DIR/results-file")"
  # Item 3: every query of the core pages uses an index, and the query pins of
  # tests/test_constant_queries.py hold at this size (EXPLAIN on the same scaled database).
  { DJANGO_SETTINGS_MODULE=openipt.test_settings ALLOWED_HOSTS=testserver OPENIPT_PLAIN_STATIC=1 PYTHONPATH=. \
      .venv/bin/python benchmarks/explain.py || echo "EXPLAIN: a core page scans a big table or its query count changed (above)"
  } | tee -a "$results"
  # Where each page's time goes, in one process with production settings: the profile behind the figures.
  DJANGO_SETTINGS_MODULE=benchmarks.bench_settings ALLOWED_HOSTS=testserver OPENIPT_INSECURE_HTTP=1 \
    OPENIPT_REQUIRE_MFA=0 OPENIPT_LOG_LEVEL=WARNING PYTHONPATH=. \
    .venv/bin/python benchmarks/profile_pages.py --top 5 | tee -a "$results"
)

for db in ${BENCH_DATABASES:-sqlite postgres}; do
  case "$db" in
    sqlite) leg_sqlite ;;
    postgres) leg_postgres ;;
    *) echo "BENCH_DATABASES: unknown database '$db' (sqlite or postgres)"; exit 1 ;;
  esac
done
