# Two commands for newcomers: `make publish` and `make test`.
# Both create .venv when missing and install the project from pyproject.toml.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.package-lock.json
RAW    ?= data/raw
OUT    ?= data/published
# Reproducible output: dates in the published files come from the last commit, not the clock.
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)
# A publication's file names are UTF-8 (id/…/～H25.ttl): Python's UTF-8 mode, whatever the locale.
export PYTHONUTF8 := 1

.PHONY: publish test validate fetch linkcheck serve api setup clean load-store bench constraints

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]' -c constraints.txt
	touch $(STAMP)

# The newest versions pyproject.toml allows, in a fresh environment, frozen into constraints.txt
# (then run `make test`: CI tests what constraints.txt pins). Run it with the oldest Python the
# project supports (3.11: PYTHON=python3.11), whose environment holds every package a newer
# one needs and more (a newer Python leaves the extra pins unused).
constraints:
	rm -rf .venv-constraints
	$(PYTHON) -m venv .venv-constraints
	.venv-constraints/bin/python -m pip install --quiet --upgrade pip
	.venv-constraints/bin/python -m pip install --quiet -e '.[test]'
	{ sed -n '/^#/p' constraints.txt; .venv-constraints/bin/python -m pip freeze --exclude-editable; } > constraints.new
	mv constraints.new constraints.txt
	rm -rf .venv-constraints

publish: $(STAMP)
	$(PY) -m pipeline publish --raw-dir '$(RAW)' --out-dir '$(OUT)'

validate: $(STAMP)
	$(PY) -m pipeline validate --out-dir '$(OUT)'

fetch: $(STAMP)
	$(PY) -m pipeline fetch --raw-dir '$(RAW)'

linkcheck: $(STAMP)
	$(PY) -m pipeline linkcheck --out-dir '$(OUT)'

# Replace the publication's named graph in a SPARQL store: endpoints from SPARQL_GSP_ENDPOINT
# (and SPARQL_UPDATE_ENDPOINT, SPARQL_USER, SPARQL_PASSWORD) or [store] in pipeline.toml.
load-store: $(STAMP)
	$(PY) -m pipeline load-store --out-dir '$(OUT)'

# The published folder with its web portal on http://127.0.0.1:8000/, the URIs answered with
# HTML, Turtle or JSON-LD by the Accept header as the shipped server configs do (Ctrl-C stops).
serve: $(STAMP)
	$(PY) -m pipeline.serve --out-dir '$(OUT)' --port 8000

# The published SQLite database as a read-only JSON/SQL API (Datasette, immutable) on
# http://127.0.0.1:$(API_PORT)/ (Ctrl-C stops it).
API_PORT ?= 8001
api: $(STAMP)
	$(PY) -m pipeline api --out-dir '$(OUT)' --port $(API_PORT)

test: $(STAMP) $(NODE_STAMP)
	$(PY) -m pytest

# The browser tests' JavaScript (axe-core, jsonld) from package-lock.json, when npm is present;
# without npm those tests are skipped (their skip message names what is missing).
$(NODE_STAMP): package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: tests that need node_modules/ (axe-core, jsonld) will be skipped" >&2; fi

clean:
	rm -rf $(VENV) build *.egg-info

# Benchmark (never published): synthetic corpora of N documents, stage times, peak memory.
BENCH_SIZES ?= 10 100 1000
bench: $(STAMP)
	$(PY) -m benchmarks.run --sizes $(BENCH_SIZES)
