# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint format install worker beat clean bench bench-imports mutate mutate-ci

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

# Quick start: SQLite file, tasks run in-process, email to the console, demo data.
run: export DJANGO_DEBUG = true
run: export CELERY_TASK_ALWAYS_EAGER = true
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# The whole suite. DATABASE_URL / REDIS_URL choose PostgreSQL and Redis (CI sets them).
# One pytest-xdist worker per core (each with its own test database and Redis database; browser
# tests and the demo module stay on one worker, see conftest.py). TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto
test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# ruff, then the app layers (import-linter contract in pyproject.toml: compliance < suppliers <
# training < safeguarding < reporting; a module imports only from its own app or one below).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Mutation check of the permission code (scripts/mutate_permissions.py): every mutant, each app's
# tests; takes long. `mutate-ci` is CI's bounded run (a fixed sample of deleted page checks in
# the training views against the plain-route matrix, within about three minutes).
mutate: install
	$(BIN)/python scripts/mutate_permissions.py $(MUTATE_ARGS)

mutate-ci: install
	$(BIN)/python scripts/mutate_permissions.py --no-baseline --only training/views_admin --kind require-deleted \
		--tests tests/test_permission_matrix.py --sample 2 --seed 4 --budget 170

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Production-like processes for a local PostgreSQL + Redis setup.
worker: install
	$(BIN)/celery -A compliance worker --loglevel=info

beat: install
	$(BIN)/celery -A compliance beat --loglevel=info

# Benchmark (a script, not a test): every page, list variant and API list at the size of a large
# NHS trust against gunicorn with production settings, a mixed load at concurrency 8 and 16,
# exports and PDFs with the workers' peak memory. Needs PostgreSQL (DATABASE_URL: the bench
# makes and keeps its own database `bench` on that server) and Redis (REDIS_URL). The first
# run builds the data (several minutes); BENCH_ARGS=--rebuild builds it again. README "Benchmarks".
bench: install
	DJANGO_DEBUG=true $(BIN)/python manage.py bench $(BENCH_ARGS)

# Benchmark (a script, not a test): rows per second of the background imports, 5,000
# suppliers and 20,000 people beside 100-row imports. BENCH_DATABASE_URL picks a scratch
# PostgreSQL database (default: a temporary SQLite file).
bench-imports: install
	DJANGO_DEBUG=true $(BIN)/python manage.py bench_imports $(if $(BENCH_DATABASE_URL),--database-url $(BENCH_DATABASE_URL))

clean:
	rm -rf $(VENV) node_modules var db.sqlite3
