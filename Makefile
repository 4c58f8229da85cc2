# Qorgau: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
# The suite runs on every core (pytest-xdist: one database per worker); TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto

.PHONY: run test test-pg lint fmt messages demo bench load audit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	./scripts/system-deps.sh nobrowser
	mkdir -p var
	$(BIN)/qorgau compilemessages --ignore=.venv -v 0
	$(BIN)/qorgau migrate --no-input -v 0
	$(BIN)/qorgau demo
	$(BIN)/qorgau runserver 127.0.0.1:$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: $(STAMP)
	cd qorgau && ../$(BIN)/django-admin makemessages -l ru -l kk -l en --no-obsolete --ignore=tests --ignore='*/tests/*'
	$(BIN)/qorgau compilemessages --ignore=.venv

test: $(STAMP)
	./scripts/system-deps.sh browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/qorgau compilemessages --ignore=.venv -v 0
	$(BIN)/qorgau makemigrations --check --dry-run
	$(BIN)/pytest -q -n $(TEST_WORKERS) --durations=15

# The same suite against PostgreSQL; DATABASE_URL must point at a server we may create databases on.
test-pg: $(STAMP)
	./scripts/system-deps.sh browser
	$(BIN)/qorgau compilemessages --ignore=.venv -v 0
	$(BIN)/pytest -q -n $(TEST_WORKERS) --durations=15

bench: $(STAMP)
	$(BIN)/python bench/registry.py
	$(BIN)/python bench/import_schools.py
	$(BIN)/python bench/inspection.py
	$(BIN)/python bench/act_pdf.py
	$(BIN)/python bench/order_documents.py
	$(BIN)/python bench/check_deadlines.py
	$(BIN)/python bench/exports.py
	$(BIN)/python bench/oversight.py --reuse

# 50 users for 60 s against `qorgau serve` on PostgreSQL (a fresh database on LOAD_DATABASE_URL's server).
load: $(STAMP)
	$(BIN)/python bench/load.py $(LOAD_ARGS)

# Known vulnerabilities in the installed dependencies; needs PyPI's vulnerability data (scripts/audit.sh).
audit: $(STAMP)
	./scripts/audit.sh

clean:
	rm -rf $(VENV) var
