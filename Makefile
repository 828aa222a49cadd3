# Haven: `make demo` to try it, `make test` to check it. Both install what is missing.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
REQUIREMENTS := requirements.txt $(wildcard requirements/*.txt) pyproject.toml
PYTEST_ARGS ?=

.PHONY: demo test install lint typecheck migrations-check pytest browser-deps report-deps messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(REQUIREMENTS) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium drives the browser test; installed when we are allowed to (root), else the test says it is skipped.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "note: chromium is not installed; the browser test will be skipped"; fi; \
	fi

# Reports: fonts with Arabic script for the Dari and Pashto sitrep PDF (WeasyPrint, through Pango)
# and poppler's pdftotext, which the sitrep tests read the PDF with; installed when root.
report-deps:
	@if ! command -v pdftotext >/dev/null 2>&1 || ! fc-list | grep -qi "Noto Naskh Arabic"; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      poppler-utils fonts-noto-core fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
	  else echo "note: poppler-utils or fonts-noto-core missing; sitrep PDF tests will be skipped"; fi; \
	fi

demo: install report-deps
	$(BIN)/haven migrate --noinput -v0
	$(BIN)/haven collectstatic --noinput -v0
	$(BIN)/haven demo
	@echo "Serving on http://127.0.0.1:8000 (Ctrl-C to stop)"
	@# Background work (matching, imports, re-triage) runs in a database-backed task worker beside
	@# the web server, at a lower CPU priority: requests are answered first.
	@# Periodic jobs (outbox, alerts, expiring links, retention): `haven tick` every minute.
	nice -n 10 $(BIN)/haven db_worker --queue-name '*' --no-reload & worker=$$!; \
	nice -n 10 $(BIN)/haven tick --every 60 & ticker=$$!; \
	trap 'kill $$worker $$ticker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn haven.config.wsgi:application --bind 127.0.0.1:8000 --workers 2 --access-logfile -

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@# The app order (docs/architecture.md): a later app may import an earlier one, never the reverse.
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy haven

migrations-check: install
	$(BIN)/haven makemigrations --check --dry-run -v0

pytest: install browser-deps report-deps
	@# loadgroup: tests spread one by one, except that a browser module stays on one worker
	@# (haven/conftest.py).
	$(BIN)/pytest -n 2 --dist loadgroup -q $(PYTEST_ARGS)

test: lint typecheck migrations-check pytest

# For translators: refresh the .po files and compile them (needs GNU gettext).
messages: install
	cd haven && ../$(BIN)/haven makemessages -l fa_AF -l ps --ignore "*/tests/*" && ../$(BIN)/haven compilemessages

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
