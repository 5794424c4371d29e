# gosid: `make run` starts the IdP and the demo RP; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: help run test test-fast lint bench clean

help:  ## show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "gosid needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)  ## start the IdP (:8000) and the demo RP (:8001) on embedded defaults
	$(VENV)/bin/gosid init
	$(VENV)/bin/gosid run

test: $(STAMP)  ## run every test (PostgreSQL/Redis/browser variants when reachable; mandatory with CI=true)
	$(PY) -m pytest -q -rs -p no:cacheprovider

test-fast: $(STAMP)  ## unit and integration tests only (SQLite + embedded store)
	$(PY) -m pytest -q -p no:cacheprovider tests/unit tests/integration -m "not postgres and not redis"

lint: $(STAMP)  ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy idp relying_party_demo gosid_config bench simulators

bench: $(STAMP)  ## requests/s and p50/p99 of discovery, JWKS, token and a full login under gunicorn
	$(PY) -m bench.run

clean:  ## remove the virtual environment and local data (var/)
	rm -rf $(VENV) var
