# The two commands of the README: `make run` and `make test`. Everything else here serves them.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make
HOST ?= 127.0.0.1:8000
# Test processes: one per core (pytest-xdist); TEST_WORKERS=0 runs the suite in one process.
TEST_WORKERS ?= auto

.PHONY: run test setup lint format benchmark clean

run: setup $(STAMPS)/system-run
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo_data
	$(BIN)/python manage.py load_demo_site
	$(BIN)/python manage.py rebuild_figures
	$(BIN)/python manage.py runserver $(HOST)

test: setup $(STAMPS)/system-test
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

setup: $(STAMPS)/python $(STAMPS)/assets

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Pages timed at synthetic scales 1 and 100 in a throwaway database (a temporary SQLite file, or with DATABASE_URL
# set, a PostgreSQL database beside yours); the test settings keep Django's debug mode off, as in production.
benchmark: setup
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py benchmark $(BENCHMARK_ARGS)

$(STAMPS):
	mkdir -p $(STAMPS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the declared or pinned dependencies change, so a second `make run` is fast.
$(STAMPS)/python: pyproject.toml constraints.txt | $(BIN)/python $(STAMPS)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

# GOV.UK Frontend and our styles, from the npm registry by the lockfile, compiled here; never fetched at run time.
$(STAMPS)/assets: package.json package-lock.json scripts/build-assets.mjs $(wildcard assets/src/*.scss assets/src/images/*) | $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	node scripts/build-assets.mjs
	touch $@

$(STAMPS)/system-run: scripts/system-packages | $(STAMPS)
	scripts/system-packages run
	touch $@

$(STAMPS)/system-test: scripts/system-packages | $(STAMPS)
	scripts/system-packages test
	touch $@

clean:
	rm -rf $(VENV) $(STAMPS) static node_modules assets/build
