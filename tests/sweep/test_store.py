"""The sweep folder: one file per finished run, resumable, never mixed with other results."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from plazasim.errors import PlazasimError
from plazasim.scenario import load_scenario
from plazasim.sweep import load_spec, plan_sweep, read_runs, run_sweep
from plazasim.sweep import runner as sweep_runner
from plazasim.sweep.runner import point_scenario
from plazasim.sweep.store import finished_runs, run_file

from .conftest import SMALL, write_spec


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One uninterrupted in-process sweep of the small spec."""
    folder = tmp_path_factory.mktemp("clean")
    run_sweep(plan_sweep(load_spec(write_spec(folder))), folder / "out")
    return folder / "out"


def _hidden(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob(".*")]


def test_a_sweep_stores_every_run_once(clean: Path) -> None:
    runs = read_runs(clean)
    assert runs["run_id"].tolist() == list(range(6))
    assert list(runs.columns) == [
        "run_id",
        "point_id",
        "replicate",
        "seed",
        "policy",
        "homicides_total",
        "cocaine_delivered_t",
    ]
    assert runs["point_id"].tolist() == [0, 0, 1, 1, 2, 2]
    assert runs["replicate"].tolist() == [0, 1] * 3
    assert runs["seed"].nunique() == 6
    assert (runs["homicides_total"] > 0).all()
    record = json.loads((clean / "sweep.json").read_text())
    assert record["kind"] == "sweep" and record["runs"] == 6 and record["points"] == 3
    series = pd.read_parquet(run_file(clean, 4, "series"))
    assert (series["run_id"] == 4).all()
    assert series["homicides_total"].sum() == runs.loc[4, "homicides_total"]
    assert _hidden(clean) == []


def test_interrupted_sweep_resumes_to_the_same_numbers(clean: Path, tmp_path: Path) -> None:
    plan = plan_sweep(load_spec(write_spec(tmp_path)))
    out = tmp_path / "out"

    def stop_after_two(done: int, total: int) -> None:
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(plan, out, progress=stop_after_two)
    assert finished_runs(out) == {0, 1}
    assert _hidden(out) == []  # no scratch files
    seen: list[int] = []
    result = run_sweep(plan, out, progress=lambda done, total: seen.append(done))
    assert (result.skipped, result.ran, result.resumed) == (2, 4, True)
    assert seen == [2, 3, 4, 5, 6]
    pd.testing.assert_frame_equal(read_runs(out), read_runs(clean))
    again = run_sweep(plan, out)  # a finished sweep runs nothing
    assert (again.skipped, again.ran) == (6, 0)


def test_scratch_and_damaged_files_are_redone(clean: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    plan = plan_sweep(load_spec(write_spec(tmp_path)))
    run_sweep(plan, out)
    run_file(out, 3).write_bytes(b"half a parquet file")
    scratch = out / "runs" / ".run-00000005.parquet.tmp-12345"
    scratch.write_bytes(b"left by a killed client")
    result = run_sweep(plan, out)
    assert result.ran == 1
    assert not scratch.exists()
    pd.testing.assert_frame_equal(read_runs(out), read_runs(clean))


@pytest.fixture
def no_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(task: object) -> None:
        raise AssertionError("a run started before the folder was checked")

    monkeypatch.setattr(sweep_runner, "run_task", refuse)


def test_folders_that_are_not_this_sweep_are_refused_before_any_run(
    clean: Path,
    tmp_path: Path,
    no_runs: None,
) -> None:
    other = load_spec(write_spec(tmp_path, SMALL.replace("seed = 7", "seed = 8")))
    with pytest.raises(PlazasimError, match=r"holds another sweep \(its spec differs\)"):
        run_sweep(plan_sweep(other), clean)
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    plan = plan_sweep(load_spec(write_spec(tmp_path)))
    with pytest.raises(PlazasimError, match=r"is not empty and holds no sweep\.json"):
        run_sweep(plan, precious)
    assert [p.name for p in precious.iterdir()] == ["notes.txt"]
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(PlazasimError, match=r"^out: cannot write"):
        run_sweep(plan, blocker / "sweep")


def test_a_point_sets_its_values_through_with_overrides() -> None:
    base = load_scenario("synthetic-small")
    sc = point_scenario(
        base, {"lethality": 0.031, "policy": "kingpin", "world.plazas": 60.0}, seed=11
    )
    assert sc.parameters.lethality == 0.031
    assert [p.name for p in sc.policy] == ["kingpin"]
    assert sc.world.plazas == 60 and sc.scenario.seed == 11


def test_common_seeds_give_every_point_the_same_seeds(tmp_path: Path) -> None:
    plain = plan_sweep(load_spec(write_spec(tmp_path)))
    common = plan_sweep(
        load_spec(
            write_spec(
                tmp_path,
                SMALL.replace("series = true", "series = true\ncommon_seeds = true"),
                "common.toml",
            )
        )
    )
    assert len({t.seed for t in plain.tasks}) == 6
    by_rep = {(t.replicate, t.seed) for t in common.tasks}
    assert len(by_rep) == 2 and {r for r, _ in by_rep} == {0, 1}
    assert all(t.scenario.scenario.seed == t.seed for t in common.tasks)


def test_prior_factors_draw_through_the_scenarios_priors(tmp_path: Path) -> None:
    (tmp_path / "calibrated.toml").write_text(
        'extends = "synthetic-small"\n[scenario]\nname = "calibrated"\n[calibration.priors]\n'
        'lethality = { distribution = "uniform", low = 0.01, high = 0.03 }\n'
    )
    spec = write_spec(
        tmp_path,
        """
[sweep]
scenario = "calibrated.toml"
until = "2007-02-28"
design = "lhs"
samples = 10
[parameters]
lethality = "prior"
""",
    )
    plan = plan_sweep(load_spec(spec))
    values = plan.design.points["lethality"]
    # a uniform prior's quantiles: one value in each tenth of [0.01, 0.03]
    assert sorted(((values - 0.01) / 0.002).astype(int)) == list(range(10))
    assert [t.scenario.parameters.lethality for t in plan.tasks] == values.tolist()
    other = write_spec(tmp_path, spec.read_text().replace("lethality", "heat_decay"), "o.toml")
    with pytest.raises(
        PlazasimError,
        match=r'^parameters\.heat_decay: "prior" needs a '
        r"\[calibration\] prior of heat_decay in the scenario \(its priors: "
        r"lethality\)",
    ):
        plan_sweep(load_spec(other))


def test_dotted_names_reach_the_scenario(tmp_path: Path) -> None:
    spec = write_spec(
        tmp_path,
        SMALL.replace(
            'policy = ["signaling", "crackdown", "laissez_faire"]',
            '"world.plazas" = [60, 80]\n'
            '"policy.crackdown.takedown_fraction" = { low = 0.2, high = 0.4 }',
        ).replace('design = "grid"\nsamples = 1', 'design = "grid"\nsamples = 2'),
    )
    plan = plan_sweep(load_spec(spec))
    got = [
        (t.scenario.world.plazas, t.scenario.policy[0].params.get("takedown_fraction"))
        for t in plan.tasks
        if t.replicate == 0
    ]
    assert got == [(60, 0.2), (60, 0.4), (80, 0.2), (80, 0.4)]
