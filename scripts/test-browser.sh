#!/usr/bin/env bash
# The browser leg: Debian's Chromium driven by Playwright (never a downloaded browser),
# with axe-core from npm injected into each page.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null; then
  echo "Installing Debian's chromium"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if [ ! -f node_modules/axe-core/axe.min.js ]; then
  npm install --no-save --no-audit --no-fund --silent axe-core@4 >/dev/null
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export OPENIPT_VAR_DIR="${OPENIPT_VAR_DIR:-$(mktemp -d -t openipt-test-XXXXXX)}"
mkdir -p test-artifacts
.venv/bin/pytest -q -m browser -p no:xdist tests/browser ${OPENIPT_JUNIT_DIR:+--junitxml="$OPENIPT_JUNIT_DIR/browser.xml"}
