# Quick start: `make demo` (set-up, then the demo) and `make test` (set-up, then all tests).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup browser demo test lint clean

setup: $(STAMP) browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

browser: $(STAMP)
	bash scripts/ensure-browser.sh $(PY)

demo: setup
	$(VENV)/bin/cancelscout demo

test: setup lint
	$(PY) -m pytest

lint: $(STAMP)  ## ruff + mypy (part of `make test`)
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
