# Two commands on a fresh machine: `make run` (the product, embedded default) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(PY) -m flask --app app
PYTEST_ARGS ?=
MINIPROGRAM_TESTS ?= yes
NODE_MODULES := miniprogram/node_modules/.installed

.PHONY: run test lint install migrate clean record-miniprogram screenshots

$(VENV)/.installed: requirements.txt tests/requirements.txt .ci/system-packages.sh
	bash .ci/system-packages.sh
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r tests/requirements.txt
	touch $@

install: $(VENV)/.installed

# The mini-program's test tools (jest, miniprogram-simulate, WeChat's compilers) and its UI library, from
# package-lock.json; no install scripts are needed or run.
$(NODE_MODULES): miniprogram/package.json miniprogram/package-lock.json .ci/system-packages.sh
	bash .ci/system-packages.sh --test
	cd miniprogram && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

migrate: install
	$(FLASK) db upgrade

## run: install, migrate, seed when empty, start web + worker + scheduler, print the URL
run: migrate
	$(FLASK) kpi load-templates
	$(FLASK) seed demo
	$(PY) -m workers up

## test: the mini-program's pages under jest + miniprogram-simulate (MINIPROGRAM_TESTS=no skips them: CI's second
## pass), then the whole Python suite, browser tests included (Debian's Chromium and CJK fonts installed first)
test: install $(if $(filter yes,$(MINIPROGRAM_TESTS)),$(NODE_MODULES))
	bash .ci/system-packages.sh --test
	$(if $(filter yes,$(MINIPROGRAM_TESTS)),cd miniprogram && npm test --silent)
	$(PY) -m pytest -c tests/pytest.ini --rootdir . $(PYTEST_ARGS)

## screenshots: every mini-program page from each recorded state, 375 × 812 PNGs in miniprogram/screenshots/
screenshots: install $(NODE_MODULES)
	$(PY) -m tests.miniprogram.screenshots

## record-miniprogram: record again the API answers the mini-program's page tests render (then run make test)
record-miniprogram: install
	$(PY) -m pytest -c tests/pytest.ini --rootdir . -q -o python_files=record_responses.py \
		-o "python_functions=record_*" tests/miniprogram

## lint: ruff (style, imports, bugs, complexity) and mypy (strict on the domain and the services)
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) instance
