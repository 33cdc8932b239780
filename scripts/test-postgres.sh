#!/usr/bin/env bash
# The PostgreSQL leg: a throwaway server in a temporary folder, the whole suite against it
# (or the paths given, e.g. `bash scripts/test-postgres.sh tests/test_constant_queries.py`).
set -euo pipefail
cd "$(dirname "$0")/.."
PG_FAST=1
# shellcheck source=scripts/pg-throwaway.sh
source scripts/pg-throwaway.sh
trap pg_cleanup EXIT
export OPENIPT_VAR_DIR="${OPENIPT_VAR_DIR:-$(mktemp -d -t openipt-test-XXXXXX)}"
.venv/bin/pytest -n 2 -q ${OPENIPT_JUNIT_DIR:+--junitxml="$OPENIPT_JUNIT_DIR/postgres.xml"} "$@"
