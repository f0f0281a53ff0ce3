# The README's two commands: `make run` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
WORKERS ?= 2
export TOUSU_PG_PORT ?= 55432
PG_URL := postgresql+psycopg://tousu@127.0.0.1:$(TOUSU_PG_PORT)

.PHONY: run test unit lint bench bench-scale model install install-test browser clean

# The analyzer's core is compiled when installed (setup.py): a change to it means installing again.
COMPILED_SOURCES := setup.py $(wildcard src/tousu/analysis/*.py)

$(BIN)/tousu: pyproject.toml requirements.lock $(COMPILED_SOURCES)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c requirements.lock -e .
	@$(BIN)/python -c 'import tousu.analysis.matcher as m; m.__file__.endswith(".py") and \
	  print("tousu: the analyzer is installed as plain Python, not compiled (see README)")'
	touch $@

install: $(BIN)/tousu

# The test extras alone: installing '.[test]' would build (and compile) tousu a second time.
$(VENV)/.test-deps: pyproject.toml requirements.lock | $(BIN)/tousu
	$(BIN)/pip install -q -c requirements.lock $$($(BIN)/python -c 'import tomllib; \
	  print(*tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["test"])')
	touch $@

install-test: $(VENV)/.test-deps

# Debian's chromium for the browser tests, with CJK fonts so screenshots are legible.
browser:
	@command -v chromium >/dev/null && fc-list | grep -qi 'noto.*cjk' || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

run: install
	$(BIN)/tousu db upgrade
	$(BIN)/tousu demo-data
	@echo ""
	@echo "tousu is running at http://127.0.0.1:$(PORT)  (API docs: http://127.0.0.1:$(PORT)/docs)"
	@echo "demo logins (password demo-pass-2026): agent1 (一线), agent2 (一线), manager1 (厅经理), director1 (主任), admin1 (管理员)"
	@echo ""
	$(BIN)/tousu serve --port $(PORT) --workers $(WORKERS)

# The whole suite, against SQLite and against a PostgreSQL server started for it, one worker per
# core; a test file stays on one worker, so its browser and server start once.
test: install-test browser
	@./scripts/test-postgres start >/dev/null
	@trap './scripts/test-postgres stop' EXIT; \
	  TOUSU_TEST_POSTGRES_URL=$(PG_URL)/tousu_test $(BIN)/pytest -n auto --dist loadfile tests

unit: install-test
	$(BIN)/pytest tests/unit

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src/tousu bench

bench: install-test
	@./scripts/test-postgres start >/dev/null
	@trap './scripts/test-postgres stop' EXIT; \
	  TOUSU_BENCH_POSTGRES_URL=$(PG_URL)/tousu_bench $(BIN)/python bench/run.py

# A province on one PostgreSQL: loads SIZE complaints (default 1,000,000) into the throw-away
# server's tousu_scale database and times the queue, lists, search, dashboard, sweep and intake.
# The server is stopped afterwards only when this target started it.
SIZE ?= 1000000
bench-scale: install-test
	@pg_isready -q -h 127.0.0.1 -p $(TOUSU_PG_PORT) 2>/dev/null && up=1 || up=; \
	  ./scripts/test-postgres start >/dev/null; \
	  [ -n "$$up" ] || trap './scripts/test-postgres stop' EXIT; \
	  TOUSU_SCALE_POSTGRES_URL=$(PG_URL)/tousu_scale SIZE=$(SIZE) $(BIN)/python bench/scale.py

# The analyzer model tousu ships: trained on the labelled sets in tests/data and, where it is
# present beside the project, the real complaints in ../shared/real (read there, never copied
# here). `make bench` scores the analyzer on the real complaints by cross-validation.
REAL_SET := $(wildcard ../shared/real/complaints.jsonl)
model: install
	$(BIN)/tousu train $(wildcard tests/data/analyzer_*.jsonl) $(REAL_SET) \
	  $(if $(REAL_SET),--calibrate-on $(REAL_SET)) --standalone --out src/tousu/analysis/data/model.npz

clean:
	./scripts/test-postgres stop
	rm -rf $(VENV) var test-artifacts build src/*.so src/tousu/analysis/*.so
