# Two commands for newcomers: `make publish` and `make test`.
# Both create .venv when missing and install the project from pyproject.toml.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
RAW    ?= data/raw
OUT    ?= data/published

.PHONY: publish test validate setup clean

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

test: $(STAMP)
	$(PY) -m pytest

clean:
	rm -rf $(VENV) build *.egg-info
