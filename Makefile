# plazasim: two commands set everything up — `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint data clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,build-data]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/plazasim run mexico-2006

test: $(STAMP)
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts benchmarks

data: $(STAMP)
	$(BIN)/python scripts/build_mexico_world.py
	$(BIN)/python scripts/build_mexico_timeline.py

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache
