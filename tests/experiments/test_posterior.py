"""Posterior draws: the file's checks, applying a draw, and run/compare/validate on draws."""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from plazasim.cli import main
from plazasim.errors import PlazasimError, ScenarioError
from plazasim.experiments.compare import compare, run_metrics
from plazasim.experiments.posterior import (
    between_draws_share,
    load_posterior,
    posterior_draws,
    posterior_size,
    with_posterior_draw,
)
from plazasim.experiments.priors import require_priors, sample_priors
from plazasim.scenario import bundled_scenarios, load_scenario, parse_scenario, with_overrides

UNTIL = "2007-03-31"  # 13 weeks of the synthetic world: a few ms per run
CALIBRATION = """
[calibration]
parameters = ["capacity_ops_per_week", "hold_weeks"]
posterior = "post.parquet"
"""
#: Four draws far apart, so a run that ignored its draw would be noticed.
DRAWS = pd.DataFrame(
    {
        "draw": np.arange(4, dtype=np.int64),
        "capacity_ops_per_week": [2.0, 120.0, 25.0, 50.0],
        "hold_weeks": [2.0, 9.0, 4.0, 6.0],  # an integer parameter stored as floats
        "distance": [0.3, 0.1, 0.2, 0.4],  # not a parameter: ignored
    }
)


def _scenario_text(name: str = "post-small", calibration: str = CALIBRATION) -> str:
    text = bundled_scenarios()["synthetic-small"].read_text(encoding="utf-8")
    return text.replace('name = "synthetic-small"', f'name = "{name}"') + calibration


def _write(
    folder: Path,
    frame: pd.DataFrame = DRAWS,
    name: str = "post-small",
    posterior: str = "post.parquet",
) -> Path:
    """A scenario file ``<name>.toml`` in ``folder`` with its posterior ``posterior``."""
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(folder / posterior, index=False)
    path = folder / f"{name}.toml"
    path.write_text(
        _scenario_text(name, CALIBRATION.replace("post.parquet", posterior)), encoding="utf-8"
    )
    return path


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    return _write(tmp_path / "calibrated")


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --------------------------------------------------------------------------- where it lives


def test_posterior_path_is_relative_to_the_scenario_file(
    scenario_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    sc = load_scenario(scenario_file)
    expected = str(scenario_file.parent / "post.parquet")
    assert sc.calibration is not None and sc.calibration.posterior == expected
    # Overrides and draws re-validate the scenario: the resolved path survives.
    assert with_overrides(sc, seed=3, until=UNTIL).calibration.posterior == expected  # type: ignore[union-attr]
    assert with_posterior_draw(sc, 1).calibration.posterior == expected  # type: ignore[union-attr]
    # Text from no file: relative to the current directory.
    text = _scenario_text()
    assert parse_scenario(text).calibration.posterior == str(elsewhere / "post.parquet")  # type: ignore[union-attr]
    absolute = text.replace('"post.parquet"', f'"{scenario_file.parent}/x/../post.parquet"')
    assert parse_scenario(absolute).calibration.posterior == expected  # type: ignore[union-attr]


def test_a_bundled_scenario_finds_its_posterior_in_its_own_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "package-scenarios"
    path = _write(package, name="mine")
    monkeypatch.setattr("plazasim.scenario.bundled_scenarios", lambda: {"mine": path})
    monkeypatch.chdir(tmp_path)
    sc = load_scenario("mine")
    assert sc.calibration.posterior == str(package / "post.parquet")  # type: ignore[union-attr]
    assert posterior_size(sc) == 4


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ('"post.csv"', "'post.csv'"),
        ("3", "3"),
        ('""', "''"),
        ('["a.parquet"]', "['a.parquet']"),
    ],
)
def test_posterior_key_form_is_checked_on_load(value: str, shown: str) -> None:
    text = _scenario_text().replace('"post.parquet"', value)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text)
    assert str(info.value) == (
        "calibration.posterior: expected the path of a .parquet file, "
        f'e.g. "posterior.parquet" (got {shown})'
    )


def test_the_file_is_only_read_when_a_draw_is_needed(tmp_path: Path) -> None:
    sc = parse_scenario(_scenario_text(), base_dir=tmp_path)  # no post.parquet there
    assert sc.calibration.posterior == str(tmp_path / "post.parquet")  # type: ignore[union-attr]
    with pytest.raises(ScenarioError) as info:
        posterior_size(sc)
    assert str(info.value) == f"calibration.posterior: file not found: {tmp_path}/post.parquet"


# --------------------------------------------------------------------------- reading it


def test_load_posterior_keeps_draw_and_parameters_and_rereads_a_changed_file(
    scenario_file: Path,
) -> None:
    sc = load_scenario(scenario_file)
    frame = load_posterior(sc)
    # Parameters in the order of the parameter table; distance (not a parameter) dropped.
    assert list(frame.columns) == ["draw", "hold_weeks", "capacity_ops_per_week"]
    assert frame["hold_weeks"].dtype == np.int64 and frame["draw"].tolist() == [0, 1, 2, 3]
    assert frame["capacity_ops_per_week"].tolist() == DRAWS["capacity_ops_per_week"].tolist()
    frame.loc[0, "capacity_ops_per_week"] = 99.0  # a copy: the cache is not touched
    assert load_posterior(sc).loc[0, "capacity_ops_per_week"] == 2.0
    assert posterior_size(sc) == 4 and posterior_draws(sc, 3) == [0, 1, 2]
    # A new file (other size) is read again, not served from the cache.
    _write(scenario_file.parent, DRAWS.iloc[:2])
    assert posterior_size(sc) == 2


def _bad(frame: pd.DataFrame, **changes: object) -> pd.DataFrame:
    out = frame.copy()
    for col, values in changes.items():
        out[col] = values
    return out


BAD_FILES = {
    "no draw column": (
        DRAWS.drop(columns="draw"),
        "{path} has no 'draw' column (expected integers 0..n-1, one row per draw)",
    ),
    "no rows": (DRAWS.iloc[:0], "{path} has no draws (expected one row per draw)"),
    "float draw": (
        _bad(DRAWS, draw=[0.0, 1.0, 2.0, 3.0]),
        "column 'draw' must hold integers (got float64)",
    ),
    "misnumbered": (
        _bad(DRAWS, draw=[0, 1, 3, 2]),
        "column 'draw' must number the rows 0..3 in order (row 2 has 3)",
    ),
    "misspelt parameter": (
        DRAWS.rename(columns={"capacity_ops_per_week": "capacity_ops_per_wk"}),
        "column 'capacity_ops_per_wk' is not a parameter (did you mean 'capacity_ops_per_week'?)",
    ),
    "uncalibrated parameter": (
        _bad(DRAWS, bribe_share=0.1),
        "column 'bribe_share' is a parameter that [calibration] does "
        "not list; list it there or drop the column",
    ),
    "missing parameter": (
        DRAWS.drop(columns="hold_weeks"),
        "no column for 'hold_weeks', which [calibration] lists (a posterior "
        "of other parameters? re-run `plazasim calibrate`)",
    ),
    "below the accepted range": (
        _bad(DRAWS, capacity_ops_per_week=[1.0, 2.0, 3.0, -1.0]),
        "parameters.capacity_ops_per_week = -1 in draw 3: Input should "
        "be greater than or equal to 0",
    ),
    "fractional integer": (
        _bad(DRAWS, hold_weeks=[2.0, 2.5, 3.0, 4.0]),
        "parameters.hold_weeks = 2.5 in draw 1 is not a whole number (an integer parameter)",
    ),
    "missing value": (
        _bad(DRAWS, capacity_ops_per_week=[1.0, np.nan, 3.0, 2.0]),
        "parameters.capacity_ops_per_week = nan in draw 1: expected a finite number",
    ),
    "text": (
        _bad(DRAWS, capacity_ops_per_week=["a", "b", "c", "d"]),
        "column 'capacity_ops_per_week' must hold numbers (got …",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_posterior_is_one_line_naming_the_field(case: str, tmp_path: Path) -> None:
    frame, problem = BAD_FILES[case]
    path = _write(tmp_path, frame)
    sc = load_scenario(path)
    with pytest.raises(ScenarioError) as info:
        with_posterior_draw(sc, 0)
    expected = "calibration.posterior: " + problem.format(path=tmp_path / "post.parquet")
    if expected.endswith("…"):  # the dtype's name depends on the pandas version
        assert str(info.value).startswith(expected[:-1]), str(info.value)
    else:
        assert str(info.value) == expected


def test_a_file_that_is_not_parquet(tmp_path: Path) -> None:
    sc = load_scenario(_write(tmp_path))
    (tmp_path / "post.parquet").write_text("not a table")
    with pytest.raises(ScenarioError) as info:
        load_posterior(sc)
    text = str(info.value)
    assert (
        text.startswith(f"calibration.posterior: cannot read {tmp_path}/post.parquet as Parquet: ")
        and "\n" not in text
    )


# --------------------------------------------------------------------------- applying a draw


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0.0, 200.0), st.integers(1, 52)), min_size=1, max_size=6),
    st.data(),
)
def test_with_posterior_draw_sets_exactly_the_draws_values(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[float, int]], data: st.DataObject
) -> None:
    folder = tmp_path_factory.mktemp("draws")
    frame = pd.DataFrame(
        {
            "draw": np.arange(len(rows), dtype=np.int64),
            "capacity_ops_per_week": [r[0] for r in rows],
            "hold_weeks": [float(r[1]) for r in rows],
        }
    )
    sc = load_scenario(_write(folder, frame))
    k = data.draw(st.integers(0, len(rows) - 1))
    seed = data.draw(st.none() | st.integers(0, 1000))
    drawn = with_posterior_draw(sc, k, seed=seed)
    assert drawn.parameters.capacity_ops_per_week == rows[k][0]
    assert drawn.parameters.hold_weeks == rows[k][1]
    assert type(drawn.parameters.hold_weeks) is int
    assert drawn.scenario.seed == (sc.scenario.seed if seed is None else seed)
    unchanged = {"parameters": {"capacity_ops_per_week", "hold_weeks"}, "scenario": {"seed"}}
    assert drawn.model_dump(exclude=unchanged) == sc.model_dump(exclude=unchanged)


def test_draw_index_and_count_errors(scenario_file: Path) -> None:
    sc = load_scenario(scenario_file)
    cases = [
        (
            lambda: with_posterior_draw(sc, 12),
            "posterior-draw: 12 is out of range (the posterior has 4 draws: 0-3)",
        ),
        (lambda: with_posterior_draw(sc, -1), "posterior-draw: must be an integer >= 0 (got -1)"),
        (
            lambda: posterior_draws(sc, 5),
            f"posterior: 5 draws asked for, but the posterior has 4 (calibration.posterior = "
            f"{scenario_file.parent}/post.parquet)",
        ),
        (lambda: posterior_draws(sc, 0), "posterior: must be an integer >= 1 (got 0)"),
        (
            lambda: with_posterior_draw(load_scenario("synthetic-small"), 0),
            "posterior-draw: scenario synthetic-small has no posterior; make one with `plazasim "
            'calibrate` and name it in [calibration] posterior = "file.parquet" '
            "(docs/SCENARIOS.md)",
        ),
    ]
    for call, message in cases:
        with pytest.raises(PlazasimError) as info:
            call()
        assert str(info.value) == message


# --------------------------------------------------------------------------- the variance share


def test_between_draws_share_by_construction() -> None:
    draws_only = np.repeat(np.arange(5.0)[:, None], 4, axis=1)  # constant within each draw
    assert between_draws_share(draws_only) == 1.0
    seeds_only = np.tile(np.array([1.0, 4.0, 2.0, 8.0]), (5, 1))  # the same in every draw
    assert between_draws_share(seeds_only) == 0.0
    assert math.isnan(between_draws_share(np.ones((1, 4))))  # one draw
    assert math.isnan(between_draws_share(np.ones((4, 1))))  # one seed
    assert math.isnan(between_draws_share(np.zeros((3, 3))))  # no variance at all
    # Equal variance components (1 and 1): about half the variance is between draws.
    rng = np.random.default_rng(5)
    x = rng.normal(0, 1, (400, 1)) + rng.normal(0, 1, (400, 50))
    assert between_draws_share(x) == pytest.approx(0.5, abs=0.06)


@settings(max_examples=50, deadline=None)
@given(st.integers(2, 6), st.integers(2, 6), st.integers(0, 2**32 - 1))
def test_between_draws_share_is_a_share(n: int, s: int, seed: int) -> None:
    x = np.random.default_rng(seed).normal(size=(n, s))
    share = between_draws_share(x)
    assert 0.0 <= share <= 1.0
    assert between_draws_share(3.0 * x + 7.0) == pytest.approx(share)  # scale-free


# --------------------------------------------------------------------------- run


def test_run_with_a_draw_equals_a_run_with_its_values(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, err = _run(
        capsys,
        "run",
        str(scenario_file),
        "--posterior-draw",
        "1",
        "--until",
        UNTIL,
        "--out",
        str(tmp_path / "drawn"),
    )
    assert code == 0, err
    assert stdout.startswith("posterior draw 1 of 4 (") and "capacity_ops_per_week = 120" in stdout
    manifest = json.loads((tmp_path / "drawn" / "manifest.json").read_text())
    record = manifest["posterior"]
    sha = hashlib.sha256((scenario_file.parent / "post.parquet").read_bytes()).hexdigest()
    assert record == {
        "draw": 1,
        "path": str(scenario_file.parent / "post.parquet"),
        "sha256": sha,
        "size": 4,
        "parameters": ["hold_weeks", "capacity_ops_per_week"],
        "values": {"hold_weeks": 9, "capacity_ops_per_week": 120.0},
    }
    assert manifest["scenario"]["parameters"]["capacity_ops_per_week"] == 120.0
    assert manifest["scenario"]["parameters"]["hold_weeks"] == 9
    # The same scenario with draw 1's values written in [parameters]: identical tables.
    direct = tmp_path / "direct.toml"
    direct.write_text(
        _scenario_text(calibration="").replace(
            "[parameters]", "[parameters]\ncapacity_ops_per_week = 120.0\nhold_weeks = 9"
        ),
        encoding="utf-8",
    )
    code, _, err = _run(
        capsys, "run", str(direct), "--until", UNTIL, "--quiet", "--out", str(tmp_path / "direct")
    )
    assert code == 0, err
    for table in ("national", "plazas", "cartels"):
        assert_frame_equal(
            pd.read_parquet(tmp_path / "drawn" / f"{table}.parquet"),
            pd.read_parquet(tmp_path / "direct" / f"{table}.parquet"),
        )
    assert json.loads((tmp_path / "direct" / "manifest.json").read_text())["posterior"] is None
    # Another draw gives other numbers: the draw is really applied.
    code, _, err = _run(
        capsys,
        "run",
        str(scenario_file),
        "--posterior-draw",
        "0",
        "--quiet",
        "--until",
        UNTIL,
        "--out",
        str(tmp_path / "draw0"),
    )
    assert code == 0, err
    assert not pd.read_parquet(tmp_path / "draw0" / "national.parquet").equals(
        pd.read_parquet(tmp_path / "drawn" / "national.parquet")
    )


def test_run_default_out_names_the_draw(
    scenario_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(
        capsys,
        "run",
        str(scenario_file),
        "--posterior-draw",
        "3",
        "--quiet",
        "--until",
        "2007-01-31",
    )
    assert code == 0, err
    assert (tmp_path / "runs" / "post-small-1-until-2007-01-31-draw3" / "manifest.json").is_file()


# --------------------------------------------------------------------------- compare


def test_compare_runs_every_variant_on_the_same_draw_seed_pairs(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outs = {w: tmp_path / f"cmp{w}" for w in (1, 2)}
    for workers, out in outs.items():
        code, stdout, err = _run(
            capsys,
            "compare",
            str(scenario_file),
            "--policies",
            "laissez_faire,crackdown",
            "--posterior",
            "2",
            "--seeds",
            "2",
            "--until",
            UNTIL,
            "--workers",
            str(workers),
            "--out",
            str(out),
        )
        assert code == 0, err
    frame = pd.read_parquet(outs[1] / "compare.parquet")
    assert_frame_equal(frame, pd.read_parquet(outs[2] / "compare.parquet"))
    runs = frame[frame["row"] == "seed"]
    for policy in ("laissez_faire", "crackdown"):
        mine = runs[(runs["policy"] == policy) & (runs["metric"] == "homicides_total")]
        assert list(zip(mine["draw"], mine["seed"], strict=True)) == [
            (0, 1),
            (0, 2),
            (1, 1),
            (1, 2),
        ]
    # Each run used its draw's parameters with its seed.
    base = with_overrides(load_scenario(scenario_file), until=UNTIL, policy="crackdown")
    for draw, seed in ((0, 2), (1, 1)):
        expected = run_metrics(with_posterior_draw(base, draw, seed=seed))
        got = runs[
            (runs["policy"] == "crackdown") & (runs["draw"] == draw) & (runs["seed"] == seed)
        ].set_index("metric")["value"]
        assert got.to_dict() == expected
    per_draw = runs[(runs["policy"] == "crackdown") & (runs["metric"] == "cocaine_seized_t")]
    assert per_draw.groupby("draw")["value"].sum().nunique() == 2  # the draws differ
    # Summary intervals are over the 4 pairs; differences paired by (draw, seed).
    summary = frame[frame["row"] == "summary"].set_index(["policy", "metric"])
    wide = runs.pivot_table(index=["draw", "seed"], columns=["policy", "metric"], values="value")
    diff = wide[("crackdown", "homicides_total")] - wide[("laissez_faire", "homicides_total")]
    row = summary.loc[("crackdown", "homicides_total")]
    assert row["diff_lo"] == np.percentile(diff, 5) and row["diff_hi"] == np.percentile(diff, 95)
    assert row["median"] == np.median(wide[("crackdown", "homicides_total")])
    share = between_draws_share(diff.to_numpy().reshape(2, 2))
    assert row["diff_between_draws"] == pytest.approx(share, nan_ok=True)
    manifest = json.loads((outs[1] / "manifest.json").read_text())
    assert manifest["draws"] == [0, 1] and manifest["seeds"] == [1, 2] and manifest["runs"] == 8
    assert (
        manifest["posterior"]["sha256"]
        == hashlib.sha256((scenario_file.parent / "post.parquet").read_bytes()).hexdigest()
    )
    text = " ".join(stdout.split())
    assert "over 4 runs (2 posterior draws x 2 seeds; the same pairs for every variant)" in text
    assert "per (draw, seed): median [5%, 95%] over 4 pairs (2 posterior draws x 2 seeds)" in text
    assert "lies between posterior draws" in text


def test_compare_api_pairs_and_refuses_two_different_posteriors(tmp_path: Path) -> None:
    a = load_scenario(_write(tmp_path / "a", name="a"))
    b = load_scenario(_write(tmp_path / "b", name="b"))  # another copy of the same sample
    other = DRAWS.assign(capacity_ops_per_week=DRAWS["capacity_ops_per_week"] * 1.1)
    c = load_scenario(_write(tmp_path / "c", other, name="c"))
    variants = {
        name: with_overrides(sc, until="2007-01-31") for name, sc in (("a", a), ("b", b), ("c", c))
    }
    result = compare({k: variants[k] for k in ("a", "b")}, [4], draws=[2, 0])
    assert result.runs[["policy", "draw", "seed"]].values.tolist() == [
        ["a", 2, 4],
        ["a", 0, 4],
        ["b", 2, 4],
        ["b", 0, 4],
    ]
    assert (result.summary.loc[result.summary["policy"] == "b", "diff_median"] == 0).all()
    with pytest.raises(ScenarioError) as info:
        compare({k: variants[k] for k in ("a", "c")}, [4], draws=[0])
    assert str(info.value) == (
        f"posterior: variants 'a' and 'c' name different posterior samples "
        f"({tmp_path}/a/post.parquet, {tmp_path}/c/post.parquet); paired draws need one sample"
    )
    with pytest.raises(PlazasimError, match=r"^draws: listed more than once: 1$"):
        compare(variants, [4], draws=[1, 1])


# --------------------------------------------------------------------------- validate


def test_validate_runs_each_experiment_on_draw_seed_pairs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from plazasim.experiments import validate as val
    from plazasim.experiments.stylized import run_experiment

    text = bundled_scenarios()["mexico-2006"].read_text(encoding="utf-8")
    # Swap the shipped posterior for a two-draw one of our own.
    text = re.sub(r'(?m)^posterior = ".*"$', 'posterior = "post.parquet"', text)
    assert 'posterior = "post.parquet"' in text
    mexico = parse_scenario(text, base_dir=tmp_path)
    values = sample_priors(require_priors(mexico), 2, seed=3)
    frame = pd.DataFrame(values).assign(draw=np.arange(2, dtype=np.int64))
    frame.to_parquet(tmp_path / "post.parquet", index=False)
    monkeypatch.setattr(val, "base_scenario", lambda: mexico)
    out = tmp_path / "val"
    code, stdout, err = _run(
        capsys,
        "validate",
        "--posterior",
        "2",
        "--seeds",
        "1",
        "--first-seed",
        "3",
        "--experiments",
        "crackdown_diversion",
        "--workers",
        "1",
        "--out",
        str(out),
    )
    assert code == 0, err
    text = " ".join(stdout.split())
    assert "posterior draws 0-1 x seeds 3-3" in text and "pooled over (draw, seed) pairs" in text
    table = pd.read_parquet(out / val.VALIDATION_TABLE)
    assert (table["n_draws"] == 2).all() and (table["n_seeds"] == 1).all()
    samples = pd.read_parquet(out / val.VALIDATION_SAMPLES)
    assert list(samples.columns) == val.SAMPLE_COLUMNS
    flow = samples[samples["fact"] == "crackdown_flow_diverted"]
    assert list(zip(flow["draw"], flow["seed"], flow["arm"], strict=True)) == [
        (0, 3, 0),
        (0, 3, 1),
        (1, 3, 0),
        (1, 3, 1),
    ]
    # Draw 1's arms are those of the experiment run directly on draw 1's parameters.
    again = run_experiment(("crackdown_diversion", 3, with_posterior_draw(mexico, 1)))
    for fact, arms in again.items():
        mine = samples[(samples["fact"] == fact) & (samples["draw"] == 1)]
        assert mine["value"].tolist() == list(arms)
    assert flow[flow["draw"] == 0]["value"].tolist() != flow[flow["draw"] == 1]["value"].tolist()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["draws"] == [0, 1]
    assert manifest["posterior"]["path"] == str(tmp_path / "post.parquet")


# --------------------------------------------------------------------------- bad input

NO_POSTERIOR = (
    "posterior; make one with `plazasim calibrate` and name it in [calibration] "
    'posterior = "file.parquet" (docs/SCENARIOS.md)'
)


def _run_cases(tmp_path: Path, sc: str) -> dict[str, tuple[list[str], str]]:
    broken = _write(
        tmp_path / "broken", DRAWS.rename(columns={"hold_weeks": "hold_week"}), name="broken"
    )
    return {
        "run: negative draw": (
            ["run", sc, "--posterior-draw", "-1"],
            "error: --posterior-draw: must be an integer >= 0 (got -1)",
        ),
        "run: draw out of range": (
            ["run", sc, "--posterior-draw", "12"],
            "error: --posterior-draw: 12 is out of range (the posterior has 4 draws: 0-3)",
        ),
        "run: no posterior": (
            ["run", "synthetic-small", "--posterior-draw", "0"],
            "error: --posterior-draw: scenario synthetic-small has no " + NO_POSTERIOR,
        ),
        "run: broken file": (
            ["run", str(broken), "--posterior-draw", "0"],
            "error: calibration.posterior: column 'hold_week' is not a "
            "parameter (did you mean 'hold_weeks'?)",
        ),
    }


def _compare_cases(tmp_path: Path, sc: str) -> dict[str, tuple[list[str], str]]:
    other = _write(tmp_path / "other", DRAWS.assign(capacity_ops_per_week=7.0), name="other")
    cmp = ["--policies", "crackdown,laissez_faire", "--until", UNTIL]
    post_file = Path(sc).parent / "post.parquet"
    return {
        "compare: zero": (
            ["compare", sc, *cmp, "--posterior", "0"],
            "error: --posterior: must be >= 1 (got 0)",
        ),
        "compare: too many": (
            ["compare", sc, *cmp, "--posterior", "5"],
            "error: --posterior: 5 draws asked for, but the posterior has 4 "
            f"(calibration.posterior = {post_file})",
        ),
        "compare: no posterior": (
            ["compare", "synthetic-small", *cmp, "--posterior", "2"],
            "error: --posterior: scenario synthetic-small has no " + NO_POSTERIOR,
        ),
        "compare: two samples": (
            ["compare", "--scenarios", f"{sc},{other}", "--until", UNTIL, "--posterior", "2"],
            "error: --posterior: variants 'post-small' and 'other' name "
            f"different posterior samples ({post_file}, "
            f"{other.parent / 'post.parquet'}); paired draws need one "
            "sample",
        ),
    }


def _validate_cases() -> dict[str, tuple[list[str], str]]:
    return {
        "validate: zero": (
            ["validate", "--posterior", "0"],
            "error: --posterior: must be >= 1 (got 0)",
        ),
        # The bundled mexico-2006 ships 200 posterior draws.
        "validate: too many": (
            ["validate", "--posterior", "500", "--seeds", "1"],
            "error: --posterior: 500 draws asked for, but the posterior has "
            f"200 (calibration.posterior = {_bundled_posterior()})",
        ),
    }


def _bundled_posterior() -> str | None:
    calibration = load_scenario("mexico-2006").calibration
    assert calibration is not None
    return calibration.posterior


CLI_CASES = [
    "run: negative draw",
    "run: draw out of range",
    "run: no posterior",
    "run: broken file",
    "compare: zero",
    "compare: too many",
    "compare: no posterior",
    "compare: two samples",
    "validate: zero",
    "validate: too many",
]


@pytest.mark.parametrize("case", CLI_CASES)
def test_bad_posterior_input_is_one_line_exit_2_and_writes_nothing(
    case: str,
    scenario_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cases = {
        **_run_cases(tmp_path, str(scenario_file)),
        **_compare_cases(tmp_path, str(scenario_file)),
        **_validate_cases(),
    }
    assert sorted(cases) == sorted(CLI_CASES)
    args, expected = cases[case]
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    code, out, err = _run(capsys, *args, "--out", str(work / "out"))
    assert code == 2
    assert err.splitlines() == [expected]
    assert "Traceback" not in out + err
    assert os.listdir(work) == []  # no output directory, no runs/
