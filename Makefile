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

.PHONY: publish test validate fetch linkcheck setup clean

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

test: $(STAMP)
	$(PY) -m pytest

clean:
	rm -rf $(VENV) build *.egg-info
