"""Background runs write ordinary run folders with the numbers of a direct run."""

from __future__ import annotations

import time
from concurrent.futures import Future

import pandas as pd
import pytest

from plazasim.cli import main
from plazasim.dashboard.runner import MAX_PENDING, JobSpec, Runner
from plazasim.dashboard.runstore import BadInputError, RunStore
from plazasim.errors import PlazasimError
from plazasim.experiments.run import run_scenario
from plazasim.results.store import query, read_run
from plazasim.scenario import load_scenario, parse_scenario, with_overrides


def _wait(runner: Runner, job_id: str, timeout: float = 60.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        job = runner.get(job_id)
        if job.status in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError("the job did not finish")


def test_a_job_writes_runs_with_the_numbers_of_a_direct_run(tmp_path) -> None:
    store = RunStore(tmp_path)
    runner = Runner(store)
    base = with_overrides(load_scenario("synthetic-small"), until="2007-03-31")
    other = with_overrides(base, policy="laissez_faire")
    try:
        job = runner.submit(
            [
                JobSpec(base, "crackdown", "synthetic-small"),
                JobSpec(other, "laissez_faire", "synthetic-small"),
            ]
        )
        job = _wait(runner, job.id)
    finally:
        runner.shutdown()
    assert job.status == "done", job.message
    assert job.done_weeks == job.total_weeks == 26 and job.fraction == 1
    assert len(job.runs) == 2 and job.runs[1] != job.runs[0]
    for name, scenario in zip(job.runs, (base, other), strict=True):
        written = read_run(tmp_path / name)
        direct = run_scenario(scenario)
        for table in ("national", "plazas", "cartels"):  # same numbers; Parquet's date unit
            pd.testing.assert_frame_equal(
                getattr(written, table),
                getattr(direct, table),
                check_dtype=False,
                check_categorical=False,
            )
        assert written.manifest["invocation"]["command"] == "dashboard"
    assert query(tmp_path / job.runs[0], "select count(*) n from national")["n"][0] == 13
    assert main(["report", str(tmp_path / job.runs[1])]) == 0
    assert (tmp_path / job.runs[1] / "report.html").stat().st_size > 0
    summaries = store.summaries()
    assert {s.name for s in summaries} == set(job.runs)
    assert {s.policy for s in summaries} == {"crackdown", "laissez_faire"}


def test_a_failing_run_says_why_and_writes_nothing(tmp_path) -> None:
    bad = parse_scenario(
        '[scenario]\nname = "bad"\nstart = 2007-01-01\nend = 2007-03-01\n'
        '[world]\nkind = "synthetic"\nplazas = 50\ncartels = 3\n'
        '[[events]]\ndate = 2007-02-01\nkind = "alliance"\ncartel = "Nobody"\nother = "Cartel A"\n'
    )
    runner = Runner(RunStore(tmp_path))
    try:
        job = _wait(runner, runner.submit([JobSpec(bad, "none", "upload:bad.toml")]).id)
    finally:
        runner.shutdown()
    assert job.status == "failed"
    assert job.message.startswith("error: events[0].cartel: unknown cartel 'Nobody'")
    assert list(tmp_path.iterdir()) == []


class _IdlePool:
    """An executor that accepts work and never starts it: jobs stay queued."""

    def submit(self, *args, **kwargs) -> Future:
        return Future()

    def shutdown(self, **kwargs) -> None:
        pass


def test_the_queue_is_bounded(tmp_path) -> None:
    runner = Runner(RunStore(tmp_path), _pool=_IdlePool())
    spec = JobSpec(load_scenario("synthetic-small"), "crackdown", "synthetic-small")
    for _ in range(MAX_PENDING):
        assert runner.submit([spec]).status == "queued"
    with pytest.raises(PlazasimError, match=f"^run: {MAX_PENDING} runs are already queued"):
        runner.submit([spec])


def test_the_store_opens_only_its_own_runs(tmp_path) -> None:
    store = RunStore(tmp_path / "runs")
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "not-a-run").mkdir()
    (tmp_path / "secret").mkdir()
    for name in ("../secret", "not-a-run", ".hidden", "a/b", "", None, 3, "x" * 300):
        with pytest.raises(BadInputError):
            store.path_of(name)
    first = store.new_name("synthetic-small", "1", "mix:signaling=0.7+kingpin=0.3")
    assert first.startswith("synthetic-small-1-mix-signaling-0.7-kingpin-0.3-")
    (tmp_path / "runs" / first).mkdir()
    assert store.new_name("synthetic-small", "1", "mix:signaling=0.7+kingpin=0.3") != first
