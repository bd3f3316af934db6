# Two commands on a fresh machine: `make run` (the product, embedded default) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(PY) -m flask --app app
PYTEST_ARGS ?=

.PHONY: run test lint install migrate clean

$(VENV)/.installed: requirements.txt tests/requirements.txt .ci/system-packages.sh
	bash .ci/system-packages.sh
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r tests/requirements.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(FLASK) db upgrade

## run: install, migrate, seed when empty, start web + worker + scheduler, print the URL
run: migrate
	$(FLASK) kpi load-templates
	$(FLASK) seed demo
	$(PY) -m workers up

## test: the whole suite, browser tests included (Debian's Chromium and CJK fonts installed first)
test: install
	bash .ci/system-packages.sh --test
	$(PY) -m pytest -c tests/pytest.ini --rootdir . $(PYTEST_ARGS)

## lint: ruff (style, imports, bugs, complexity) and mypy (strict on the domain and the services)
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) instance
