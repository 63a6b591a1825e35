# QGIS Certification Platform — the commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
MANAGE := $(PY) manage.py
PORT ?= 8000
# Python 3.12 or newer: the one .python-version selects through pyenv, else python3.12 or python3.
PYTHON ?= $(shell for c in python3.13 python3.12 python3; do \
	p=$$(command -v $$c 2>/dev/null) && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)

.PHONY: help run test lint bench install install-dev assets messages bytecode totp clean

help:
	@echo "make run    - install, migrate, load demo data, serve http://127.0.0.1:$(PORT) with the task worker"
	@echo "make test   - run every test (SQLite, or PostgreSQL when DATABASE_URL is set)"
	@echo "make lint   - ruff, mypy, templates, JavaScript, missing migrations, deployment checklist"
	@echo "make bench  - run the benchmarks and print a table"
	@echo "make totp   - print the two-factor code of the demo staff accounts"

$(VENV)/.python-ok:
	@if [ -z "$(PYTHON)" ]; then \
		echo "Error: Python 3.12 or newer is needed, and none was found." >&2; \
		echo "Install it (for example 'pyenv install 3.12') and run make again." >&2; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==0.13.9
	@touch $@

# Install compiles every module to bytecode: these machines (and many servers) set
# PYTHONDONTWRITEBYTECODE, under which Python never writes any, and each process would compile
# again every module it imports (~1,600 for `manage.py check`). The markers were renamed when
# install began to compile, so that an existing .venv is synced and compiled once.
$(VENV)/.synced: $(VENV)/.python-ok requirements.txt
	$(UV) pip sync --quiet --compile-bytecode --python $(PY) requirements.txt
	@rm -f $(VENV)/.synced-dev
	@touch $@

$(VENV)/.synced-dev: $(VENV)/.python-ok requirements-dev.txt
	$(UV) pip sync --quiet --compile-bytecode --python $(PY) requirements-dev.txt
	@touch $(VENV)/.synced $@

install: $(VENV)/.synced
install-dev: $(VENV)/.synced-dev

# The project's own modules, compiled where they are, those changed since the last time only
# (0.1 s when none did): compileall writes bytecode even under PYTHONDONTWRITEBYTECODE, which
# only stops the import system from writing it.
bytecode:
	@$(PY) -m compileall -q certification

# Front-end assets come from npm (package-lock.json) and are copied into static/vendor.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# The map: Leaflet (with the images its CSS names), its marker clusters, the countries of
# world-atlas (Natural Earth 1:50m, which has the small countries 1:110m leaves out) and
# topojson-client to read them. The source maps go too: the hashed static storage of
# production rewrites each file's sourceMappingURL and fails when the map is missing.
static/vendor/.copied: node_modules/.package-lock.json
	mkdir -p static/vendor/htmx static/vendor/leaflet/images static/vendor/leaflet.markercluster \
		static/vendor/world-atlas static/vendor/topojson-client
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map \
		node_modules/leaflet/dist/leaflet.css node_modules/leaflet/LICENSE static/vendor/leaflet/
	cp node_modules/leaflet/dist/images/*.png static/vendor/leaflet/images/
	cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
		node_modules/leaflet.markercluster/dist/leaflet.markercluster.js.map \
		node_modules/leaflet.markercluster/dist/MarkerCluster.css \
		node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css \
		node_modules/leaflet.markercluster/MIT-LICENCE.txt static/vendor/leaflet.markercluster/
	cp node_modules/world-atlas/countries-50m.json node_modules/world-atlas/LICENSE \
		static/vendor/world-atlas/
	cp node_modules/topojson-client/dist/topojson-client.min.js node_modules/topojson-client/LICENSE \
		static/vendor/topojson-client/
	@touch $@

assets: static/vendor/.copied

# Translations: each locale/*/LC_MESSAGES/django.po compiles to its .mo (git-ignored).
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
messages: $(MO_FILES)
%.mo: %.po
	@command -v msgfmt >/dev/null || { echo "Error: msgfmt (Debian package gettext) is needed to compile translations." >&2; exit 1; }
	msgfmt --check -o $@ $<

run: export DEBUG ?= true
run: install assets messages bytecode
	@mkdir -p var
	@# The cache tables first: migrate's system check writes to every cache.
	$(MANAGE) createcachetable
	$(MANAGE) migrate --no-input -v 0
	$(MANAGE) seed_demo
	@echo "Serving http://127.0.0.1:$(PORT) with the task worker and the periodic jobs. Ctrl-C stops them."
	@trap 'kill 0' INT TERM EXIT; \
		$(MANAGE) db_worker --interval 1 & \
		while true; do $(MANAGE) run_periodic > /dev/null; sleep 300; done & \
		$(MANAGE) runserver 127.0.0.1:$(PORT) & \
		wait

# Browser tests drive Playwright's sync API inside pytest-django.
test: export DJANGO_ALLOW_ASYNC_UNSAFE = true
# pytest rewrites the test modules' asserts and keeps the result as bytecode only when Python
# may write it (1 s of every run here).
test: export PYTHONDONTWRITEBYTECODE =
test: install-dev assets messages bytecode
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev node_modules/.package-lock.json
	node_modules/.bin/biome ci --error-on-warnings static/js
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djade --check $$(git ls-files 'templates/*.html' 'templates/*.txt')
	$(VENV)/bin/mypy
	DJANGO_SETTINGS_MODULE=certification.settings_test $(MANAGE) makemigrations --check --dry-run
	@# The deployment checklist, with production-like settings: zero warnings allowed.
	DEBUG=false SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))') \
		ALLOWED_HOSTS=certification.qgis.org SITE_URL=https://certification.qgis.org \
		$(MANAGE) check --deploy --fail-level WARNING

bench: install-dev assets messages bytecode
	$(PY) -m certification.bench

# The current two-factor code of the demo staff accounts (rita, paula, tom, admin).
totp: install
	@DEBUG=true $(MANAGE) demo_totp

clean:
	rm -rf $(VENV) node_modules static/vendor var
