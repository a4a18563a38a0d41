# Two entry points (see README "Quick start"):
#   make run   create .venv, install the project, serve/build on the embedded default store
#   make test  install test needs too, then lint and run the whole suite
# Everything the project needs is installed from here; nothing downloads at run time.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.stamp-$(shell cat pyproject.toml | sha256sum | cut -c1-12)
# Browser libraries the maps serve from /static/vendor (never a CDN): npm ci from the lockfile.
NODE_STAMP := node_modules/.package-lock.json

.PHONY: run build test lint install install-test clean

run: install
	$(BIN)/ganzhou-atlas serve

build: install
	$(BIN)/ganzhou-atlas build

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ required"'
	$(PYTHON) -m venv $(VENV) || { echo "python venv module missing: apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(VENV)/bin/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.stamp-*
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm missing: apt-get install npm (maps need Leaflet from node_modules)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

install-test: install

lint: install-test
	$(BIN)/ruff check .

test: install-test
	$(BIN)/ruff check .
	$(BIN)/pytest

clean:
	rm -rf $(VENV) node_modules out var .pytest_cache .ruff_cache
