#!/usr/bin/env bash
# `make bench`: benchmarks that print figures. Not part of `make test`; no timed assertions.
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENIPT_VAR_DIR="$(mktemp -d -t openipt-bench-XXXXXX)"
export ALLOWED_HOSTS=testserver OPENIPT_INSECURE_HTTP=1 OPENIPT_PLAIN_STATIC=1 DJANGO_SETTINGS_MODULE=openipt.test_settings
trap 'rm -rf "$OPENIPT_VAR_DIR"' EXIT
.venv/bin/python benchmarks/bench_pages.py
rm -f "$OPENIPT_VAR_DIR"/openipt.sqlite3*  # a fresh demo clinic for the next script
.venv/bin/python benchmarks/bench_weight.py
# The load benchmark: gunicorn under wrk on SQLite and PostgreSQL (settings: benchmarks/load/run.sh).
# It sets its own environment (settings module, hosts, a temporary folder per database).
env -u DJANGO_SETTINGS_MODULE -u ALLOWED_HOSTS -u OPENIPT_PLAIN_STATIC -u OPENIPT_VAR_DIR bash benchmarks/load/run.sh
