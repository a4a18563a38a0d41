# Two entry points (see README "Quick start"):
#   make run   create .venv, install the project, serve/build on the embedded default store
#   make test  install test needs too, then lint and run the whole suite
#   make test-fast   the unit tests that need no server, browser or external client (< 1 min)
#   make bench / make bench-quick   every benchmark, full or as a smoke run (bench/README.md)
# Everything the project needs is installed from here; nothing downloads at run time.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.stamp-$(shell cat pyproject.toml | sha256sum | cut -c1-12)
# Browser libraries the maps serve from /static/vendor (never a CDN): npm ci from the lockfile.
NODE_STAMP := node_modules/.package-lock.json

.PHONY: run build test test-fast typecheck bench bench-quick lint install install-test clean

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
	$(BIN)/mypy geo
	$(BIN)/pytest

# Library unit tests plus the light checks: no live server, no browser/QGIS/GDAL client, no
# bench run, no wheel build (markers client/bench/slow are deselected as well).
FAST_TESTS := tests/geo tests/test_layering.py tests/test_registry_docs.py \
	tests/test_no_machine_paths.py tests/test_benches.py \
	tests/maps/test_geometry_and_clustering.py tests/maps/test_assets.py

test-fast: install-test
	$(BIN)/pytest -q -m "not client and not bench and not slow" $(FAST_TESTS)

# mypy at the basic level ([tool.mypy] in pyproject.toml); `make test` runs it too.
typecheck: install-test
	$(BIN)/mypy geo

bench: install
	$(BIN)/python bench/run_all.py

bench-quick: install
	$(BIN)/python bench/run_all.py --quick

clean:
	rm -rf $(VENV) node_modules out var .pytest_cache .ruff_cache
