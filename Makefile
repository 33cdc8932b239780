# OpenIPT — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT
# Links in e-mails and reminders point at the server `make run` starts, unless set otherwise.
run: export OPENIPT_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test install lint typecheck bench clean help

help:
	@echo "make run   — set up and serve OpenIPT on http://127.0.0.1:$(PORT) (demo clinic on first run)"
	@echo "make test  — set up and run every check and the test suite (CI=true adds PostgreSQL and Chromium)"
	@echo "make bench — benchmarks (not part of make test)"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required (looked for $(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run

run: $(VENV)/.installed-run
	@mkdir -p var
	OPENIPT_INSECURE_HTTP=1 $(BIN)/openipt migrate --noinput
	OPENIPT_INSECURE_HTTP=1 $(BIN)/openipt collectstatic --noinput --verbosity 0
	OPENIPT_INSECURE_HTTP=1 $(BIN)/openipt demo --first-run
	@echo "OpenIPT is serving on http://127.0.0.1:$(PORT)  (Ctrl-C stops it)"
	OPENIPT_INSECURE_HTTP=1 $(BIN)/openipt serve

test: $(VENV)/.installed-dev
	bash scripts/test.sh

bench: $(VENV)/.installed-dev
	bash benchmarks/run.sh

clean:
	rm -rf $(VENV) build *.egg-info
