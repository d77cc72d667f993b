# The two commands a newcomer needs:  make demo  and  make test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test check lint types unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## make demo: play the seeds' stories on the embedded SQLite store and print the views
demo: $(STAMP)
	$(BIN)/cogov demo --db sqlite:///cogov-demo.db --fresh

## make test: every gate — ruff, mypy --strict, pytest (unit, BDD, SQLite and PostgreSQL)
test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	@scripts/ensure-chromium || echo "no headless Chromium: the report-rendering test will skip (it fails in CI)"
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) cogov-demo.db* out .pytest_cache .mypy_cache .ruff_cache
