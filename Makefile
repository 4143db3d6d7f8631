# Two commands for newcomers: `make publish` and `make test`.
# Both create .venv when missing and install the project from pyproject.toml.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
RAW    ?= data/raw
OUT    ?= data/published
# Reproducible output: dates in the published files come from the last commit, not the clock.
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)

.PHONY: publish test validate fetch linkcheck serve api setup clean load-store bench

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

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

# The published folder with its web portal on http://127.0.0.1:8000/ (Ctrl-C stops it).
serve:
	@test -f '$(OUT)/index.html' || { echo "error: $(OUT)/index.html missing; run make publish first" >&2; exit 1; }
	$(PYTHON) -m http.server --bind 127.0.0.1 --directory '$(OUT)' 8000

# The published SQLite database as a read-only JSON/SQL API (Datasette, immutable) on
# http://127.0.0.1:$(API_PORT)/ (Ctrl-C stops it).
API_PORT ?= 8001
api: $(STAMP)
	$(PY) -m pipeline api --out-dir '$(OUT)' --port $(API_PORT)

test: $(STAMP)
	$(PY) -m pytest

clean:
	rm -rf $(VENV) build *.egg-info

# Benchmark (never published): synthetic corpora of N documents, stage times, peak memory.
BENCH_SIZES ?= 10 100 1000
bench: $(STAMP)
	$(PY) -m benchmarks.run --sizes $(BENCH_SIZES)
