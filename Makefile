# OMOOC: `make run` sets up and starts everything on embedded defaults; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run stack setup test test-stack lint format bench frontend translations clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("OMOOC needs Python 3.11 or newer; found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the video player's hls.js and the studio's htmx (install Node.js 18+)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error

# The stamp depends on this Makefile too, so a change to what is copied reaches existing checkouts.
static/vendor/.stamp: node_modules/.package-lock.json Makefile
	mkdir -p static/vendor
	cp node_modules/hls.js/dist/hls.min.js node_modules/hls.js/dist/hls.min.js.map static/vendor/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/
	touch $@

frontend: static/vendor/.stamp

translations: $(STAMP)
	@$(PY) manage.py compile_translations >/dev/null

setup: $(STAMP) frontend translations

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py run_stack

# The production topology (deploy/topology.toml, as docker-compose.yml) on this host without containers:
# nginx (Debian package, installed when missing), two gunicorn web nodes, the mail and media workers,
# beat, PostgreSQL (database omooc_stack on the local server; STACK_DATABASE_URL for another), a Redis
# of its own, an S3 server (moto) and an SMTP sink unless EMAIL_URL is set. Ctrl-C stops everything.
stack: setup
	$(PY) deploy/stack.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Uses PostgreSQL and Redis where reachable (DATABASE_URL/REDIS_URL, else the local defaults);
# with CI=true they are required. Browser tests use Debian's chromium (OMOOC_CHROMIUM to override).
test: setup
	@mkdir -p var
	@$(PY) tests/support/services.py > var/test-env.sh
	@source var/test-env.sh && \
	  $(VENV)/bin/ruff check . && \
	  $(VENV)/bin/ruff format --check . && \
	  $(VENV)/bin/lint-imports && \
	  $(PY) manage.py makemigrations --check --dry-run && \
	  $(PY) -m pytest -n $${PYTEST_WORKERS:-2} -m "not stack" $(PYTEST_ARGS)

# The stack tests (tests/stack, marked `stack`): one production topology for the whole package, faults
# injected into it. Alone and without xdist, so two stacks never compete for the machine; ~15 minutes.
test-stack: setup
	@mkdir -p var
	@$(PY) tests/support/services.py > var/test-env.sh
	@source var/test-env.sh && $(PY) -m pytest -m stack -s -q tests/stack $(PYTEST_ARGS)

bench: setup
	@$(PY) tests/support/services.py > var/test-env.sh
	@command -v wrk >/dev/null || { echo "bench: installing wrk (Debian package)"; apt-get install -y -qq wrk >/dev/null || echo "bench: wrk missing; the load benchmark will say so"; }
	@source var/test-env.sh && $(PY) -m bench $(BENCH)

clean:
	rm -rf var staticfiles node_modules static/vendor
