# gosid: `make run` starts the IdP and the demo RP; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# The message catalogues; each compiled .mo (not committed) is rebuilt when its .po changes.
CATALOGUES := $(wildcard idp/translations/*/LC_MESSAGES/messages.po relying_party_demo/translations/*/LC_MESSAGES/messages.po)

.PHONY: help run test test-fast lint bench faults clean translations messages

help:  ## show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "gosid needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

translations: $(CATALOGUES:.po=.mo)  ## compile the .po catalogues into the .mo files the apps load

%.mo: %.po | $(STAMP)
	$(VENV)/bin/pybabel compile -i $< -o $@

messages: $(STAMP)  ## extract the msgids from code and templates into the .po catalogues
	mkdir -p var
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ -k lazy_gettext -o var/idp.pot .
	$(VENV)/bin/pybabel update -i var/idp.pot -d idp/translations
	$(VENV)/bin/pybabel extract -F relying_party_demo/babel.cfg -k _l -k lazy_gettext -o var/rp.pot relying_party_demo
	$(VENV)/bin/pybabel update -i var/rp.pot -d relying_party_demo/translations

run: $(STAMP) translations  ## start the IdP (:8000) and the demo RP (:8001) on embedded defaults
	$(VENV)/bin/gosid init
	$(VENV)/bin/gosid run

test: $(STAMP) translations  ## run every test (PostgreSQL/Redis/browser variants when reachable; mandatory with CI=true)
	$(PY) -m pytest -q -rs -p no:cacheprovider

test-fast: $(STAMP) translations  ## unit and integration tests only (SQLite + embedded store)
	$(PY) -m pytest -q -p no:cacheprovider tests/unit tests/integration -m "not postgres and not redis"

lint: $(STAMP)  ## ruff, mypy and the layer contracts (import-linter, see pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy idp relying_party_demo gosid_config gosid_stand bench simulators tests faults
	$(VENV)/bin/lint-imports

faults: $(STAMP) translations  ## the fault suite: private PostgreSQL + Redis, 2 IdPs behind haproxy, one fault per scenario
	$(PY) -m faults

bench: $(STAMP) translations  ## requests/s and p50/p99 of discovery, JWKS, token and a full login under gunicorn
	$(PY) -m bench.run

clean:  ## remove the virtual environment, local data (var/) and compiled catalogues
	rm -rf $(VENV) var $(CATALOGUES:.po=.mo)
