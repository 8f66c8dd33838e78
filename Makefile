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

# Azurite (npm) for the imgix Azure-source tests, once, where node and npm are installed;
# without them (or offline) those tests are skipped and say why.
AZURITE := .cache/azurite/.installed
$(AZURITE):
	@if command -v npm >/dev/null && command -v node >/dev/null; then \
	  npm install --prefix .cache/azurite --no-audit --no-fund --silent azurite@3 \
	    && touch $(AZURITE) || echo "Azurite not installed: the Azure-source tests will be skipped"; \
	else echo "no node/npm: the Azure-source tests will be skipped"; fi

# The lint gate runs first: CI fails on a lint, format or type error before any test runs.
test: lint $(AZURITE)
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check $(PACKAGES)
	$(VENV)/bin/ruff format --check --quiet $(PACKAGES)
	$(VENV)/bin/mypy common imaging origin edge vendors cdnsim scenarios loadtests

clean:
	rm -rf $(VENV) .pytest_cache
