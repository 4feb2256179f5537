# plazasim: two commands set everything up — `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed
# Extra arguments for benchmarks/run.py, e.g. make bench BENCH_ARGS="--no-mesa"
BENCH_ARGS ?=

.PHONY: demo test bench lint data clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,build-data,calibrate]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/plazasim run mexico-2006

test: $(STAMP)
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/python -m pytest

# The `bench` extra (mesa, pyinstrument) only for benchmarks: `make test` never installs it.
$(BENCH_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/run.py --profile $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts benchmarks

data: $(STAMP)
	$(BIN)/python scripts/build_mexico_world.py
	$(BIN)/python scripts/build_mexico_timeline.py
	$(BIN)/python scripts/build_observed.py

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache
