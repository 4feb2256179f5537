"""plazasim prior-predictive: yearly outcomes, parallel = serial, coverage, files, CLI errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from plazasim.cli import main
from plazasim.experiments.coverage import coverage, coverage_report, coverage_years, rising_share
from plazasim.experiments.prior_predictive import (
    OUTCOMES,
    PriorPredictiveResult,
    prior_predictive,
    write_prior,
)
from plazasim.experiments.priors import apply_draw
from plazasim.experiments.run import run_scenario
from plazasim.scenario import Scenario, parse_scenario, with_overrides
from plazasim.world import build_world

#: A tiny world over two calendar years: 5 weeks of December 2007, then 9 weeks of 2008.
TOML = """\
[scenario]
name = "prior-test"
start = 2007-12-01
end = 2008-03-01
seed = 3
[world]
kind = "synthetic"
plazas = 40
cartels = 3
[[policy]]
from = 2007-12-01
name = "crackdown"
[calibration]
parameters = ["hold_weeks", "recruit_rate"]
[calibration.priors]
lethality = { distribution = "loguniform", low = 0.01, high = 0.2 }
"""
PARAMS = ["recruit_rate", "lethality", "hold_weeks"]  # Parameters declaration order
NATIONAL = ["homicides", "related", "cartel", "state", "bystander", "members_end"]
DRAWS = 4


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return parse_scenario(TOML)


@pytest.fixture(scope="module")
def result(scenario: Scenario) -> PriorPredictiveResult:
    return prior_predictive(scenario, DRAWS)


def test_columns_draws_seeds_and_parameters(result: PriorPredictiveResult) -> None:
    frame = result.frame
    states = np.unique(build_world(result.scenario.world).state).tolist()
    outcomes = [f"{stem}_{y}" for stem in NATIONAL for y in (2007, 2008)]
    outcomes += [
        f"{stem}_{s}_{y}" for stem in ("homicides", "related") for s in states for y in (2007, 2008)
    ]
    assert list(frame.columns) == ["draw", "seed", *PARAMS, *outcomes]  # no Juárez here
    assert frame["draw"].tolist() == list(range(DRAWS))
    assert frame["seed"].tolist() == [3, 4, 5, 6]  # the scenario's seed + draw
    assert frame["hold_weeks"].dtype == np.int64
    assert result.weeks_per_year == {2007: 5, 2008: 9}
    assert len(set(frame["lethality"])) == DRAWS


def test_rerun_and_two_workers_give_the_same_table(
    scenario: Scenario, result: PriorPredictiveResult
) -> None:
    assert_frame_equal(prior_predictive(scenario, DRAWS).frame, result.frame)
    parallel = prior_predictive(scenario, DRAWS, workers=2)
    assert parallel.workers == 2
    assert_frame_equal(parallel.frame, result.frame)


def test_outcomes_equal_the_run_tables(scenario: Scenario, result: PriorPredictiveResult) -> None:
    row = result.frame.iloc[1]
    values = {name: row[name].item() for name in PARAMS}
    run = run_scenario(apply_draw(scenario, values, seed=int(row["seed"])))
    year = run.national["date"].dt.year
    by_year = run.national.groupby(year).agg(
        total=("homicides_total", "sum"),
        cartel=("homicides_cartel", "sum"),
        state=("homicides_state", "sum"),
        bystander=("homicides_bystander", "sum"),
        members=("members", "last"),
    )
    for y, nat in by_year.iterrows():
        assert row[f"homicides_{y}"] == pytest.approx(nat["total"])
        assert row[f"related_{y}"] == pytest.approx(nat["cartel"] + nat["state"] + nat["bystander"])
        assert row[f"members_end_{y}"] == pytest.approx(nat["members"])
    plazas = run.plazas.assign(
        year=run.plazas["date"].dt.year,
        related=(
            run.plazas[["homicides_cartel", "homicides_state", "homicides_bystander"]].sum(axis=1)
        ),
    )
    by_state = plazas.groupby(["year", "state"], observed=True)[
        ["homicides_total", "related"]
    ].sum()
    for (y, code), cell in by_state.iterrows():
        assert row[f"homicides_{code}_{y}"] == pytest.approx(cell["homicides_total"], rel=1e-5)
        assert row[f"related_{code}_{y}"] == pytest.approx(cell["related"], rel=1e-5, abs=1e-6)


def test_mexico_has_juarez_and_the_32_states() -> None:
    from plazasim.scenario import load_scenario

    sc = with_overrides(load_scenario("mexico-2006"), until="2007-01-07")
    result = prior_predictive(sc, 2, seed=7)
    frame = result.frame
    assert result.weeks_per_year == {2006: 5, 2007: 1}
    for y in (2006, 2007):
        assert {f"juarez_homicides_{y}", f"juarez_related_{y}"} <= set(frame.columns)
        states = [c for c in frame.columns if re.fullmatch(rf"homicides_\d\d_{y}", c)]
        assert len(states) == 32
        assert np.allclose(frame[states].sum(axis=1), frame[f"homicides_{y}"], rtol=1e-5)
        assert (frame[f"juarez_related_{y}"] <= frame[f"related_08_{y}"] + 1e-9).all()
    assert frame["seed"].tolist() == [7, 8]
    assert result.observed["presidencia_org_crime_deaths"][2010] == 15273.0


# --------------------------------------------------------------------------- coverage


def _hand_frame() -> pd.DataFrame:
    """21 draws: related_Y = Y-offset + 0..20, with draw 3 falling in 2009."""
    base = np.arange(21, dtype=float)
    frame = pd.DataFrame({f"related_{y}": base + 100 * (y - 2007) for y in range(2007, 2011)})
    frame.loc[3, "related_2009"] = 0.0
    frame["homicides_2007"] = base * 10
    return frame


def test_coverage_on_a_hand_made_frame() -> None:
    frame = _hand_frame()
    observed = {
        "presidencia_org_crime_deaths": {2007: 5.0, 2008: 150.0, 2010: 320.0},
        "inegi_homicides_occurrence": {2007: 200.0, 2008: 1.0},
    }
    table = coverage(frame, observed, [2007, 2008, 2010])
    got = table[["series", "year", "observed", "lo", "median", "hi", "inside"]]
    assert got.values.tolist() == [
        ["presidencia_org_crime_deaths", 2007, 5.0, 1.0, 10.0, 19.0, True],
        ["presidencia_org_crime_deaths", 2008, 150.0, 101.0, 110.0, 119.0, False],
        ["presidencia_org_crime_deaths", 2010, 320.0, 301.0, 310.0, 319.0, False],
        ["inegi_homicides_occurrence", 2007, 200.0, 10.0, 100.0, 190.0, False],
        # 2008 is observed but the frame has no homicides_2008 column: left out
    ]
    assert rising_share(frame, [2007, 2008, 2009, 2010]) == pytest.approx(20 / 21)
    assert rising_share(frame, [2007]) is None


def test_coverage_years_are_whole_observed_years() -> None:
    weeks = {2006: 5, 2007: 52, 2008: 52, 2009: 53, 2010: 52, 2011: 52, 2012: 30}
    observed = {
        "inegi_homicides_occurrence": {y: 1.0 for y in range(2000, 2011)},
        "unrelated_series": {2011: 1.0},
    }
    assert coverage_years(weeks, observed) == [2007, 2008, 2009, 2010]
    report = coverage_report(
        _hand_frame(),
        {"presidencia_org_crime_deaths": {2007: 1.0, 2008: 2.0, 2009: 3.0, 2010: 4.0}},
        weeks,
    )
    assert report["related_rises_every_year"] == {
        "years": [2007, 2008, 2009, 2010],
        "share": pytest.approx(20 / 21),
        "observed": True,
    }
    assert report["compared"] == 4 and report["draws"] == 21


# --------------------------------------------------------------------------- files and CLI


def test_write_prior_files(result: PriorPredictiveResult, tmp_path: Path) -> None:
    out = write_prior(result, tmp_path / "pp")
    assert sorted(p.name for p in out.iterdir()) == [
        "coverage.json",
        "manifest.json",
        "prior.parquet",
        "prior.png",
    ]
    assert (out / "prior.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert_frame_equal(pd.read_parquet(out / "prior.parquet"), result.frame)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "prior_predictive" and manifest["draws"] == DRAWS
    assert manifest["priors"]["lethality"] == {
        "distribution": "loguniform",
        "low": 0.01,
        "high": 0.2,
        "integer": False,
    }
    assert manifest["run_seeds"] == [3, 4, 5, 6]
    assert set(OUTCOMES) <= set(manifest["outcomes"])
    cov = json.loads((out / "coverage.json").read_text())
    assert cov["rows"] == [] and cov["related_rises_every_year"]["share"] is None


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_writes_what_the_api_gives(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], result: PriorPredictiveResult
) -> None:
    (tmp_path / "s.toml").write_text(TOML, encoding="utf-8")
    out = tmp_path / "pp"
    code, stdout, err = _run(
        capsys,
        "prior-predictive",
        str(tmp_path / "s.toml"),
        "--draws",
        str(DRAWS),
        "--workers",
        "1",
        "--out",
        str(out),
    )
    assert code == 0, err
    assert_frame_equal(pd.read_parquet(out / "prior.parquet"), result.frame)
    assert "No observed series" in stdout and f"wrote {out}" in stdout
    code, _, err = _run(
        capsys,
        "prior-predictive",
        str(tmp_path / "s.toml"),
        "--draws",
        "2",
        "--seed",
        "10",
        "--until",
        "2007-12-31",
        "--out",
        str(out),
        "-q",
        "--workers",
        "1",
        "--force",
    )
    assert code == 0, err  # an earlier prior predictive directory may be replaced (--force)
    frame = pd.read_parquet(out / "prior.parquet")
    assert frame["seed"].tolist() == [10, 11]
    assert [c for c in frame.columns if c.startswith("related_") and c.count("_") == 1] == [
        "related_2007"
    ]


def _bad_cases(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    (tmp_path / "s.toml").write_text(TOML, encoding="utf-8")
    a_run = tmp_path / "a-run"
    a_run.mkdir()
    (a_run / "manifest.json").write_text("{}")
    ok = ["prior-predictive", str(tmp_path / "s.toml")]
    return {
        "zero draws": ([*ok, "--draws", "0"], "error: --draws: must be >= 1 (got 0)"),
        "zero workers": ([*ok, "--workers", "0"], "error: --workers: must be >= 1 (got 0)"),
        "negative seed": ([*ok, "--seed", "-1"], "error: --seed: must be an integer >= 0 (got -1)"),
        "bad until": (
            [*ok, "--until", "2008-02-30"],
            "error: --until: invalid date '2008-02-30' (expected YYYY-MM-DD)",
        ),
        "until before start": (
            [*ok, "--until", "2007-01-01"],
            "error: --until: 2007-01-01 is not after the start of …",
        ),
        "unknown scenario": (
            ["prior-predictive", "nope"],
            "error: scenario: unknown scenario 'nope' (bundled: …",
        ),
        "no calibration": (
            ["prior-predictive", "synthetic-small", "--draws", "2"],
            "error: scenario has no [calibration] table; add one (docs/SCENARIOS.md)",
        ),
        "out is a run": (
            [*ok, "--draws", "1", "--out", str(a_run)],
            f"error: --out: {a_run} holds other plazasim results, not a prior "
            "predictive check (no prior.parquet); refusing to replace it",
        ),
        "draws not a number": ([*ok, "--draws", "many"], "error: Invalid value for '--draws': …"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "zero draws",
        "zero workers",
        "negative seed",
        "bad until",
        "until before start",
        "unknown scenario",
        "no calibration",
        "out is a run",
        "draws not a number",
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    case: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    args, expected = _bad_cases(tmp_path)[case]
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = _run(capsys, *args)
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1, err
    if expected.endswith("…"):
        assert lines[0].startswith(expected[:-1]), lines[0]
    else:
        assert lines[0] == expected
    assert "Traceback" not in out + err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no out dir, no runs/
    assert [p.name for p in (tmp_path / "a-run").iterdir()] == ["manifest.json"]


# --------------------------------------------------------------------------- docs

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_docs_list_every_outcome_column() -> None:
    text = (DOCS / "PRIOR_PREDICTIVE.md").read_text(encoding="utf-8")
    section = text.split("### `prior.parquet`", 1)[1].split("\n### ", 1)[0]
    documented = re.findall(r"^\| `([\w<>]+)` \|", section, flags=re.MULTILINE)
    assert documented == ["draw", "seed", *(f"{stem}_Y" for stem in OUTCOMES)]


def test_scenarios_doc_example_is_valid() -> None:
    text = (DOCS / "SCENARIOS.md").read_text(encoding="utf-8")
    section = text.split("## `[calibration]`", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    sc = parse_scenario(TOML.split("[calibration]")[0] + example)
    assert sc.calibration is not None
    assert set(sc.calibration.resolved()) == {
        "recruit_rate",
        "hold_weeks",
        "lethality",
        "execution_rate",
        "heat_cost_factor",
    }
