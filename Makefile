# The two commands: `make run` and `make test`. Each creates or refreshes .venv when
# pyproject.toml changed, then does its job.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/cdnsim run

PACKAGES := common imaging origin edge vendors cdnsim scenarios loadtests tests

# The lint gate runs first: CI fails on a lint, format or type error before any test runs.
test: lint
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check $(PACKAGES)
	$(VENV)/bin/ruff format --check --quiet $(PACKAGES)
	$(VENV)/bin/mypy common imaging origin edge vendors cdnsim scenarios loadtests

clean:
	rm -rf $(VENV) .pytest_cache
