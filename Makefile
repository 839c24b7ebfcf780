# mixdown: `make run` installs everything and starts the server; `make test` installs and tests.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test test-fast lint check bench clean

$(STAMP): pyproject.toml constraints.txt scripts/setup.sh scripts/apt-packages.txt
	bash scripts/setup.sh

install: $(STAMP)

run: install
	$(BIN)/mixdown serve

test: install
	$(BIN)/pytest

test-fast: install
	$(BIN)/pytest tests/unit

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

check: lint test

bench: install
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/bench_platform.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
