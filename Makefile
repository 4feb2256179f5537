# plazasim: two commands set everything up — `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed
FUZZ_STAMP := $(VENV)/.fuzz-installed
# Seconds of atheris fuzzing in make fuzz, e.g. make fuzz FUZZ_SECONDS=600
FUZZ_SECONDS ?= 120
# Extra arguments for benchmarks/run.py, e.g. make bench BENCH_ARGS="--no-mesa"
BENCH_ARGS ?=
# Weeks of the Mesa equivalence test in make test (make bench runs its full horizons)
MESA_WEEKS ?= 8

.PHONY: demo test chromium bench fuzz lint data clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,build-data,calibrate]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/plazasim run mexico-2006

# The browser tests drive Debian's chromium (Playwright's own browser download is never used).
# sudo only when not root and sudo exists.
chromium:
	@command -v chromium >/dev/null || { \
		SUDO=; [ "$$(id -u)" = 0 ] || { command -v sudo >/dev/null && SUDO=sudo; }; \
		$$SUDO apt-get update && $$SUDO apt-get install -y chromium; }

# Lint, types, the test suite, then the Mesa model of the same rules on a short horizon
# (mesa comes with the `bench` extra; only code under benchmarks/ uses it).
test: $(STAMP) $(BENCH_STAMP) chromium
	$(BIN)/ruff check src tests scripts benchmarks fuzz
	$(BIN)/ruff format --check src tests scripts benchmarks fuzz
	$(BIN)/mypy
	$(BIN)/python -m pytest
	PLAZASIM_MESA_WEEKS=$(MESA_WEEKS) $(BIN)/python -m pytest -q -p no:cacheprovider \
		benchmarks/test_mesa_equivalence.py

# The `bench` extra (mesa, pyinstrument) only for benchmarks and their equivalence test.
$(BENCH_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	touch $(BENCH_STAMP)

# First the Mesa model is checked to follow plazasim's rules, then the two are timed.
bench: $(BENCH_STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider benchmarks/test_mesa_equivalence.py
	$(BIN)/python benchmarks/run.py --profile $(BENCH_ARGS)

# The long form of the robustness tests: many more hypothesis examples (PLAZASIM_FUZZ=1),
# then atheris on the scenario loader for FUZZ_SECONDS. Inputs it finds go to .fuzz/.
$(FUZZ_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[fuzz]"
	touch $(FUZZ_STAMP)

fuzz: $(FUZZ_STAMP)
	PLAZASIM_FUZZ=1 $(BIN)/python -m pytest -p no:cacheprovider --hypothesis-show-statistics \
		tests/test_scenario_fuzz.py tests/model/test_conservation.py
	mkdir -p .fuzz
	$(BIN)/python fuzz/fuzz_scenario.py .fuzz fuzz/corpus -dict=fuzz/toml.dict \
		-max_total_time=$(FUZZ_SECONDS) -timeout=2 -rss_limit_mb=2048 -artifact_prefix=.fuzz/

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts benchmarks fuzz
	$(BIN)/ruff format --check src tests scripts benchmarks fuzz
	$(BIN)/mypy

data: $(STAMP)
	$(BIN)/python scripts/build_mexico_world.py
	$(BIN)/python scripts/build_mexico_timeline.py
	$(BIN)/python scripts/build_observed.py

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache .fuzz
