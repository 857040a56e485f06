# Rapport: every target sets itself up first (a .venv/ at the repo root), so a fresh
# clone needs only Python 3.11 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test dev bench lint format lock clean chromium

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

## demo: build the embedded demo world end to end and print how to query it
demo: $(STAMP)
	$(BIN)/rapport demo

## chromium: Debian's headless browser, which the report tests render the HTML audit in
chromium:
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y --no-install-recommends chromium)

## test: lint, then the whole test suite
test: $(STAMP) chromium
	$(BIN)/ruff check pipelines tests
	$(BIN)/pytest

## dev: the Dagster UI on http://127.0.0.1:3000 (run history kept in warehouse/dagster_home)
dev: $(STAMP)
	$(BIN)/rapport dev

## bench: time a small build (the demo warehouse), then load, full and incremental
## build against pandas and a DuckDB pass (1M and 10M posts; add 100M with
## `make bench BENCH_SIZES=1M,10M,100M`)
BENCH_SIZES ?= 1M,10M
bench: $(STAMP)
	$(BIN)/rapport bench --demo-build
	$(BIN)/rapport bench --sizes $(BENCH_SIZES)

lint: $(STAMP)
	$(BIN)/ruff check pipelines tests
	$(BIN)/ruff format --check pipelines tests

format: $(STAMP)
	$(BIN)/ruff check --fix pipelines tests
	$(BIN)/ruff format pipelines tests

## lock: re-resolve the pinned set from pyproject.toml's ranges
lock:
	rm -rf /tmp/rapport-lock && $(PYTHON) -m venv /tmp/rapport-lock
	/tmp/rapport-lock/bin/pip install --quiet ".[dev]"
	/tmp/rapport-lock/bin/pip freeze --exclude rapport > requirements.lock.new
	@echo "review requirements.lock.new, then move it over requirements.lock"

clean:
	rm -rf $(VENV) dbt_project/target dbt_project/logs
