# Everyday commands. `make run` to try Agora, `make test` to check it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app app
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test test-sqlite test-pg serve translations compile-translations bytecode \
        lint vendor bench bench-tools clean help

help:
	@echo "make run          install, migrate, load demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test         the whole suite (SQLite, then PostgreSQL when reachable)"
	@echo "make serve        production-style: migrate, then gunicorn (gunicorn.conf.py)"
	@echo "make translations extract, update and compile the interface catalogs"
	@echo "make vendor       fetch pinned front-end assets from the npm registry"
	@echo "make bench        the load benchmark (see bench/README.md)"
	@echo "make lint         ruff"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml setup.py app/search/_merge.c
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: $(BIN)/python setup.cfg pyproject.toml setup.py app/search/_merge.c
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

# Flags and steps live in scripts/translations.py (the i18n tests import it); see docs/i18n.md.
compile-translations: $(VENV)/.installed
	@$(BIN)/python scripts/translations.py compile >/dev/null

translations: $(VENV)/.installed
	$(BIN)/python scripts/translations.py update
	$(BIN)/python scripts/translations.py compile
	@$(BIN)/python scripts/untranslated.py --check || \
	  echo "  -> python scripts/untranslated.py --json todo.json, fill it in, then --apply todo.json"

# The app's bytecode, written ahead (only what changed): with PYTHONDONTWRITEBYTECODE,
# set on our CI machines and in many container images, Python never writes it, and
# every process, each gunicorn worker included, compiled the app's ~80 modules again:
# 0.25 s of a 0.5 s create_app() on the 2026-12-06 VM. (An editable install has no
# bytecode of its own; a pip-installed wheel has.) bench/run.py compiles it itself.
bytecode: $(VENV)/.installed
	@$(BIN)/python -m compileall -q app

run: $(VENV)/.installed compile-translations bytecode
	$(FLASK) db upgrade heads
	$(FLASK) seed demo --if-empty
	@echo ""
	@echo "  Agora is running on http://$(HOST):$(PORT)/   (Ctrl+C to stop)"
	@echo ""
	$(FLASK) run --host $(HOST) --port $(PORT)

serve: $(VENV)/.installed compile-translations bytecode
	$(FLASK) db upgrade heads
	$(BIN)/gunicorn -c gunicorn.conf.py 'app:create_app()'

test: $(VENV)/.installed-dev compile-translations
	$(BIN)/python scripts/run_tests.py

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check app tests bench scripts

vendor:
	bash scripts/vendor_assets.sh

# wrk, the load generator, from Debian's packages (needs root, as in CI).
bench-tools:
	@command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)

# make bench BENCH_ARGS="--reuse" / "--scale 5" / "--growth" (see bench/README.md)
bench: $(VENV)/.installed-dev compile-translations bench-tools
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
