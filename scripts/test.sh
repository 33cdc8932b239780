#!/usr/bin/env bash
# Every check `make test` runs, in order. With CI=true it adds the PostgreSQL and Chromium legs.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export OPENIPT_VAR_DIR="${OPENIPT_VAR_DIR:-$(mktemp -d -t openipt-test-XXXXXX)}"
export SECRET_KEY="${SECRET_KEY:-test-only-$(date +%s%N)-not-secret-enough-for-production-use-xx}"
unset DATABASE_URL
export OPENIPT_JUNIT_DIR="${OPENIPT_JUNIT_DIR:-$(mktemp -d -t openipt-junit-XXXXXX)}"

step() { printf '\n==> %s\n' "$*"; }

step "ruff (lint and format)"
$BIN/ruff check .
$BIN/ruff format --check .

step "mypy"
$BIN/mypy openipt

step "import-linter (pure modules stay pure)"
$BIN/lint-imports

step "bandit (security lint; every medium-or-higher finding fixed or justified with # nosec)"
$BIN/bandit -r openipt -x '*/tests/*' --severity-level medium --confidence-level medium -q

step "migrations are complete"
$BIN/openipt makemigrations --check --dry-run

step "deployment checks with production settings"
DEBUG= OPENIPT_DEBUG=0 OPENIPT_INSECURE_HTTP=0 \
  SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(64))')" \
  ALLOWED_HOSTS=openipt.example.org $BIN/openipt check --deploy --fail-level WARNING

step "pytest (SQLite)"
$BIN/pytest -n 2 -q --junitxml="$OPENIPT_JUNIT_DIR/sqlite.xml"

if [ "${CI:-}" = "true" ]; then
  step "pytest (PostgreSQL leg)"
  bash scripts/test-postgres.sh
  step "browser leg (Debian Chromium via Playwright, axe-core)"
  bash scripts/test-browser.sh
fi

step "summary"
$BIN/python scripts/junit_summary.py "$OPENIPT_JUNIT_DIR"/*.xml
