"""Fit report: posterior predictive runs, the headline checks, and ``plazasim fit-report``."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

pytest.importorskip("pyabc")

from plazasim.calibration.abc_smc import CalibrationModel, calibrate, read_calibration
from plazasim.calibration.fit_stats import (
    annual_totals,
    bands,
    headline_checks,
    relative_error,
    spearman,
    state_totals,
)
from plazasim.calibration.predictive import (
    PREDICTIVE_BLOCKS,
    covered_period,
    posterior_predictive,
    run_seed,
)
from plazasim.calibration.space import SearchSpace
from plazasim.calibration.summaries import SummarySpec, month_labels
from plazasim.cli import main
from plazasim.experiments.priors import require_priors
from plazasim.experiments.simulate import world_of
from plazasim.scenario import load_scenario, with_overrides

SCENARIO = """\
[scenario]
name = "fit-test"
start = 2007-01-01
end = 2008-12-31
step = "week"
seed = 3

[world]
kind = "synthetic"
plazas = 100
cartels = 4
seed = 7

[parameters]
attack_bias = -3.0

[[policy]]
from = 2007-01-01
name = "crackdown"

[calibration.priors]
attack_bias = { distribution = "uniform", low = -6.0, high = -2.0 }
"""

PNGS = ("national.png", "states.png", "juarez.png", "related_share.png", "parameters.png")


@pytest.fixture(scope="module")
def calibration(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 4-particle, one-generation calibration on 2007 of a 2007-2008 synthetic scenario."""
    root = tmp_path_factory.mktemp("fit")
    path = root / "fit.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    scenario = load_scenario(str(path))
    world = world_of(scenario)
    spec = SummarySpec(
        months=tuple(month_labels("2007-01", "2007-12")),
        years=(2007,),
        states=tuple(sorted(set(world.state.tolist()))),
        plaza=str(world.plaza_id[0]),
    )
    space = SearchSpace(require_priors(scenario))
    model = CalibrationModel(with_overrides(scenario, until=spec.end), space, spec)
    np.random.seed(0)
    observed = model(space.particle({"attack_bias": -3.0}))
    out = root / "cal"
    calibrate(scenario, out, particles=4, populations=1, targets=(spec, observed))
    return out


# --------------------------------------------------------------------------- predictive runs


def test_covered_period_keeps_whole_months_and_years_only() -> None:
    months, years = covered_period(dt.date(2006, 12, 1), dt.date(2012, 12, 31))
    assert months[0] == "2006-12" and months[-1] == "2012-12" and len(months) == 73
    assert years == [2007, 2008, 2009, 2010, 2011, 2012]  # 2006 holds only December
    months, years = covered_period(dt.date(2007, 1, 3), dt.date(2008, 12, 20))
    assert months[0] == "2007-02" and months[-1] == "2008-11" and years == []


def test_predictive_frame_has_every_draw_seed_pair_and_block(calibration: Path) -> None:
    record = read_calibration(calibration)
    frame = posterior_predictive(record.settings, record.posterior, draws=3, seeds=2)
    base = record.settings.seed
    pairs = set(frame[["draw", "seed"]].itertuples(index=False, name=None))
    assert pairs == {(i, run_seed(base, i, j)) for i in range(3) for j in range(2)}
    assert run_seed(base, 1, 0) == base + 1000
    assert list(frame.columns) == ["draw", "seed", "block", "label", "value"]
    assert set(frame["block"]) == set(PREDICTIVE_BLOCKS)
    per_run = frame.groupby(["draw", "seed"]).size()
    assert per_run.nunique() == 1
    national = frame[(frame.block == "national_homicides") & (frame.draw == 0)]
    assert national["label"].iloc[0] == "2007-01" and national["label"].iloc[-1] == "2008-12"
    n_states = len(record.settings.spec_object().states)
    assert (frame.block == "state_homicides").sum() == 6 * n_states * 2  # runs x states x years
    assert set(frame.loc[frame.block == "members", "label"]) == {"2007", "2008"}
    assert np.isfinite(frame["value"]).all() and (frame["value"] >= 0).all()
    # related killings are part of all homicides in every month of every run
    wide = frame.pivot_table(index=["draw", "seed", "label"], columns="block", values="value")
    months = wide.dropna(subset=["national_related"])
    assert (months["national_related"] <= months["national_homicides"] + 1e-9).all()


def test_predictive_frame_does_not_depend_on_workers(calibration: Path) -> None:
    record = read_calibration(calibration)
    one = posterior_predictive(record.settings, record.posterior, draws=2, seeds=1, workers=1)
    two = posterior_predictive(record.settings, record.posterior, draws=2, seeds=1, workers=2)
    assert_frame_equal(one, two)


# --------------------------------------------------------------------------- the checks


def _monthly_rows(block: str, run_totals: dict[int, list[float]], seed: int) -> list[dict]:
    """Rows of one run: each year's total spread evenly over its twelve months."""
    return [
        {
            "draw": seed,
            "seed": seed,
            "block": block,
            "label": f"{year}-{m:02d}",
            "value": totals[seed] / 12,
        }
        for year, totals in run_totals.items()
        for m in range(1, 13)
    ]


def _observed_monthly(block: str, totals: dict[int, float]) -> pd.Series:
    labels = [f"{y}-{m:02d}" for y in totals for m in range(1, 13)]
    return pd.Series([totals[int(label[:4])] / 12 for label in labels], index=labels, name=block)


def test_national_checks_pass_within_the_tolerance_and_fail_beyond() -> None:
    # three runs; annual medians: homicides 2007 1,100 (+10% of 1,000), 2008 1,110 (+11%)
    homicides = {2007: [1090.0, 1100.0, 1300.0], 2008: [1000.0, 1110.0, 1200.0]}
    related = {2007: [500.0, 600.0, 700.0], 2008: [400.0, 480.0, 500.0]}
    rows = [
        r
        for s in range(3)
        for r in _monthly_rows("national_homicides", homicides, s)
        + _monthly_rows("national_related", related, s)
    ]
    frame = pd.DataFrame(rows)
    observed = {
        "national_homicides": _observed_monthly("national_homicides", {2007: 1000.0, 2008: 1000.0}),
        "national_related": _observed_monthly("national_related", {2007: 500.0, 2008: 400.0}),
    }
    checks = {c.key: c for c in headline_checks(frame, observed)}
    assert checks["national_homicides_2007"].measured == pytest.approx(0.10)
    assert checks["national_homicides_2007"].result == "pass"
    assert checks["national_homicides_2008"].measured == pytest.approx(0.11)
    assert checks["national_homicides_2008"].result == "fail"
    assert checks["national_related_2007"].measured == pytest.approx(0.20)  # 600 vs 500
    assert checks["national_related_2007"].result == "pass"
    assert checks["national_related_2008"].measured == pytest.approx(0.20)  # 480 vs 400
    assert checks["national_related_2008"].measured_text() == "+20.0%"
    assert "plaza_rise" not in checks  # no plaza block in the record


def _state_frame(medians: dict[str, float], block: str, year: int = 2009) -> pd.DataFrame:
    """Three runs per state at median, median - 1 and median + 5 (so the median is exact)."""
    return pd.DataFrame(
        [
            {
                "draw": s,
                "seed": s,
                "block": block,
                "label": f"{code}:{year}",
                "value": value + (-1.0, 0.0, 5.0)[s],
            }
            for s in range(3)
            for code, value in medians.items()
        ]
    )


def test_state_spearman_is_the_rank_correlation_of_totals() -> None:
    codes = ["01", "02", "03", "04", "05"]
    observed_totals = [10.0, 20.0, 30.0, 40.0, 50.0]
    # simulated ranks 1 3 2 5 4: rho = 1 - 6 * 4 / (5 * 24) = 0.8
    homicides = dict(zip(codes, [100.0, 300.0, 200.0, 500.0, 400.0], strict=True))
    related = dict(zip(codes, [50.0, 40.0, 30.0, 20.0, 10.0], strict=True))  # reversed
    frame = pd.concat(
        [_state_frame(homicides, "state_homicides"), _state_frame(related, "state_related")],
        ignore_index=True,
    )
    labels = [f"{c}:2009" for c in codes]
    observed = {
        b: pd.Series(observed_totals, index=labels) for b in ("state_homicides", "state_related")
    }
    totals = state_totals(frame, observed, "state_homicides", [2009])
    assert totals["median"].tolist() == [100.0, 300.0, 200.0, 500.0, 400.0]
    assert totals["q05"].iloc[0] < 100.0 < totals["q95"].iloc[0]
    checks = {c.key: c for c in headline_checks(frame, observed)}
    assert checks["state_homicides_spearman"].measured == pytest.approx(0.8)
    assert checks["state_homicides_spearman"].result == "pass"  # >= 0.8
    assert checks["state_related_spearman"].measured == pytest.approx(-1.0)
    assert checks["state_related_spearman"].result == "fail"
    assert spearman([1, 2, 3], [2, 4, 8]) == pytest.approx(1.0)
    assert math.isnan(spearman([1, 1, 1], [1, 2, 3]))


def test_plaza_rise_compares_simulated_and_observed_ratios() -> None:
    observed = {
        "plaza_homicides": _observed_monthly("plaza_homicides", {2007: 120.0, 2010: 1200.0})
    }

    def check(sim_2010: float) -> object:
        rows = [
            r
            for s in range(3)
            for r in _monthly_rows("plaza_homicides", {2007: [100.0] * 3, 2010: [sim_2010] * 3}, s)
        ]
        (only,) = headline_checks(pd.DataFrame(rows), observed, "Juárez")
        return only

    slow = check(400.0)  # x4 against x10
    assert slow.measured == pytest.approx(0.4) and slow.result == "fail"
    close = check(600.0)  # x6 against x10
    assert close.measured == pytest.approx(0.6) and close.result == "pass"
    assert "2007->2010" in close.description and "Juárez" in close.description
    one_year = {"plaza_homicides": _observed_monthly("plaza_homicides", {2007: 120.0})}
    rows = _monthly_rows("plaza_homicides", {2007: [100.0]}, 0)
    (na,) = headline_checks(pd.DataFrame(rows), one_year)
    assert na.result == "no data" and na.passed is None


def test_annual_totals_take_the_band_after_summing() -> None:
    # two months of one year missing: the year is dropped, not shown as a fall
    partial = pd.Series(1.0, index=[f"2007-{m:02d}" for m in range(1, 11)])
    assert annual_totals(partial).empty
    # three runs with totals 30, 12 and 24: the median total is 24, while the monthly
    # medians (2 in January, 1 after) would sum to 13
    labels = [f"2008-{m:02d}" for m in range(1, 13)]
    runs = pd.DataFrame([[0.0] * 12, [1.0] * 12, [2.0] * 12], columns=labels)
    runs.iloc[0, 0] = 30.0
    assert bands(runs)["median"].sum() == pytest.approx(13.0)
    annual = bands(annual_totals(runs))
    assert annual.loc[2008, "median"] == pytest.approx(24.0)
    assert annual.loc[2008, "q05"] == pytest.approx(12.0 + 0.1 * (24.0 - 12.0))
    assert relative_error(110.0, 100.0) == pytest.approx(0.10)
    assert math.isnan(relative_error(5.0, 0.0))


# --------------------------------------------------------------------------- the command


def test_cli_writes_the_whole_report(calibration: Path, capsys: pytest.CaptureFixture) -> None:
    code = main(["fit-report", str(calibration), "--draws", "2", "--seeds", "1", "--workers", "1"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    out = calibration / "fit-report"
    assert f"wrote {out}" in captured.out and "Headline checks" in captured.out
    for name in PNGS:
        data = (out / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000, name
    table = pd.read_csv(out / "fit_table.csv")
    assert set(table["section"]) == {"annual", "check"}
    annual = table[table.section == "annual"]
    assert set(annual["year"]) == {2007, 2008}
    forecast = annual[annual.year == 2008]
    assert forecast["observed"].isna().all() and forecast["median"].notna().all()
    assert set(table.loc[table.section == "check", "result"]) <= {"pass", "fail", "no data"}
    markdown = (out / "fit_table.md").read_text(encoding="utf-8")
    assert "forecast" in markdown
    posterior = pd.read_parquet(calibration / "posterior.parquet")
    used = posterior["particle"].iloc[:2].nunique()
    heaviest = posterior["particle"].value_counts().iloc[0] / len(posterior)
    assert (
        f"The 2 draws run hold {used} distinct parameter sets (the posterior's "
        f"{len(posterior)} draws: {posterior['particle'].nunique()}, the most frequent "
        f"filling {heaviest:.0%} of them); the last generation's weights are worth "
        "4.0 particles." in markdown
    )
    # the distance's blocks, each with its share, the shares adding up to about 100%
    section = markdown.split("## What the distance is made of")[1]
    rows = [r for r in section.splitlines() if r.startswith("| ") and r.endswith("% |")]
    names = {r.split(" | ")[0][2:] for r in rows}
    known = {"national_related", "national_homicides", "state_related"}
    known |= {"state_homicides", "plaza_homicides", "members"}
    assert names and names <= known
    shares = [int(r.split(" | ")[-1][:-3]) for r in rows]
    assert abs(sum(shares) - 100) <= len(rows)  # each share is rounded to a whole percent
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "fit_report" and manifest["draws"] == 2
    assert manifest["runs"] == 2 and manifest["workers"] == 1
    assert manifest["distinct_parameter_sets"]["used"] == used
    predictive = pd.read_parquet(out / "predictive.parquet")
    assert predictive[["draw", "seed"]].drop_duplicates().shape[0] == 2
    # an earlier report may be replaced (nothing else may)
    assert (
        main(
            ["fit-report", str(calibration), "--draws", "1", "--seeds", "1", "--workers", "1", "-q"]
        )
        == 0
    )
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["draws"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--draws", "0"], "--draws: must be between 1 and 4"),
        (["--draws", "5"], "--draws: must be between 1 and 4"),
        (["--seeds", "0"], "--seeds: must be between 1"),
        (["--workers", "0"], "--workers: must be >= 1"),
    ],
)
def test_cli_refuses_bad_options(
    calibration: Path, tmp_path: Path, capsys: pytest.CaptureFixture, args: list[str], message: str
) -> None:
    target = tmp_path / "report"
    code = main(["fit-report", str(calibration), "--out", str(target), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    assert "Traceback" not in err and not target.exists()


def test_cli_refuses_what_is_not_a_calibration_or_not_replaceable(
    calibration: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    assert main(["fit-report", str(tmp_path), "--out", str(tmp_path / "r")]) == 2
    assert "not a finished calibration directory" in capsys.readouterr().err
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("keep me", encoding="utf-8")
    assert main(["fit-report", str(calibration), "--out", str(other)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --out:") and err.count("\n") == 1
    assert (other / "notes.txt").read_text(encoding="utf-8") == "keep me"
    # the calibration directory itself is not a fit report: refused, left whole
    before = sorted(p.name for p in calibration.iterdir())
    assert main(["fit-report", str(calibration), "--out", str(calibration)]) == 2
    assert "not a fit report" in capsys.readouterr().err
    assert sorted(p.name for p in calibration.iterdir()) == before
