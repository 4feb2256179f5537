"""plazasim compare: common random numbers, summaries, parallel = serial, CLI and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from plazasim.cli import main
from plazasim.errors import PlazasimError
from plazasim.experiments.compare import (
    COLUMNS,
    INTERVAL,
    METRICS,
    CompareResult,
    compare,
    metrics_of,
    run_metrics,
)
from plazasim.experiments.run import run_scenario
from plazasim.scenario import Scenario, bundled_scenarios, load_scenario, with_overrides

UNTIL = "2007-03-31"  # 13 weeks of synthetic-small: a few ms per run
POLICIES = ("crackdown", "laissez_faire", "signaling")
SEEDS = tuple(range(1, 7))


@pytest.fixture(scope="module")
def variants() -> dict[str, Scenario]:
    base = with_overrides(load_scenario("synthetic-small"), until=UNTIL)
    return {p: with_overrides(base, policy=p) for p in POLICIES}


@pytest.fixture(scope="module")
def result(variants: dict[str, Scenario]) -> CompareResult:
    return compare(variants, SEEDS)


# --------------------------------------------------------------------------- API


def test_every_variant_runs_on_the_same_seeds(result: CompareResult) -> None:
    runs = result.runs
    assert list(runs.columns) == ["policy", "draw", "seed", *METRICS]
    assert runs["draw"].isna().all()  # the scenario's own parameters: no posterior draw
    assert len(runs) == len(POLICIES) * len(SEEDS)
    assert runs["policy"].tolist() == [p for p in POLICIES for _ in SEEDS]
    for policy in POLICIES:
        assert runs.loc[runs["policy"] == policy, "seed"].tolist() == list(SEEDS)
    assert result.variants == list(POLICIES) and result.seeds == SEEDS
    # different seeds give different outcomes, or the intervals would mean nothing
    assert runs.loc[runs["policy"] == "crackdown", "homicides_total"].nunique() > 1


def test_rerun_is_identical(variants: dict[str, Scenario], result: CompareResult) -> None:
    assert_frame_equal(compare(variants, SEEDS).to_frame(), result.to_frame())


def test_two_workers_give_the_same_table(
    variants: dict[str, Scenario], result: CompareResult
) -> None:
    seen: list[tuple[int, int]] = []
    parallel = compare(variants, SEEDS, workers=2, progress=lambda d, n: seen.append((d, n)))
    assert parallel.workers == 2
    assert_frame_equal(parallel.runs, result.runs)
    assert_frame_equal(parallel.to_frame(), result.to_frame())
    total = len(POLICIES) * len(SEEDS)
    assert seen == [(i, total) for i in range(1, total + 1)]


def test_summary_is_numpy_percentiles_of_the_seeds(result: CompareResult) -> None:
    runs, summary = result.runs, result.summary.set_index(["policy", "metric"])
    assert len(summary) == len(POLICIES) * len(METRICS)
    base = runs[runs["policy"] == POLICIES[0]]
    for policy in POLICIES:
        mine = runs[runs["policy"] == policy]
        for metric in METRICS:
            values = mine[metric].to_numpy()
            diff = values - base[metric].to_numpy()
            row = summary.loc[(policy, metric)]
            assert row["median"] == np.median(values)
            assert row["lo"] == np.percentile(values, INTERVAL[0])
            assert row["hi"] == np.percentile(values, INTERVAL[1])
            assert row["diff_median"] == np.median(diff)
            assert row["diff_lo"] == np.percentile(diff, 5)
            assert row["diff_hi"] == np.percentile(diff, 95)
            assert row["lo"] <= row["median"] <= row["hi"]


def test_first_variant_differences_are_zero(result: CompareResult) -> None:
    first = result.summary[result.summary["policy"] == POLICIES[0]]
    assert (first[["diff_median", "diff_lo", "diff_hi"]].to_numpy() == 0).all()


def test_metric_values_are_sane(result: CompareResult) -> None:
    runs = result.runs
    assert (runs[list(METRICS)] >= 0).all().all()
    assert runs["hhi_plazas"].between(0, 1).all() and runs["share_disputed"].between(0, 1).all()
    parts = runs[["homicides_cartel", "homicides_state", "homicides_bystander"]].sum(axis=1)
    assert (runs["homicides_total"] >= parts - 1e-9).all()
    assert (runs["homicides_total"] > parts).all()  # the baseline is in the total
    assert (runs["cartels_alive"] >= 1).all() and (runs["hhi_plazas"] > 0).all()
    by = runs.set_index("policy")
    assert (by.loc["laissez_faire", "homicides_state"] == 0).all()
    assert by.loc["crackdown", "homicides_state"].sum() > 0
    assert (by.loc["crackdown", "cocaine_seized_t"] > 0).all()


def test_run_metrics_agree_with_a_full_run(
    variants: dict[str, Scenario], result: CompareResult
) -> None:
    """Skipping the plaza table changes nothing; hhi is checked against the plaza table."""
    sc = with_overrides(variants["crackdown"], seed=3)
    full = run_scenario(sc)
    expected = metrics_of(full.national, full.cartels, full.world.n_plazas)
    assert run_metrics(sc) == expected
    row = result.runs[(result.runs["policy"] == "crackdown") & (result.runs["seed"] == 3)]
    assert row[list(METRICS)].iloc[0].to_dict() == expected
    assert expected["cartels_alive"] == full.national["active_cartels"].iloc[-1]
    plazas = full.plazas[full.plazas["date"] == full.plazas["date"].max()]
    held = plazas["controller"].astype(str)
    shares = held[held != ""].value_counts(normalize=True)
    assert expected["hhi_plazas"] == pytest.approx(float((shares**2).sum()), rel=1e-12)
    disputed = full.plazas.groupby("date")["disputed"].sum().mean() / full.world.n_plazas
    assert expected["share_disputed"] == pytest.approx(disputed, rel=1e-12)


def test_metrics_of_by_hand() -> None:
    dates = pd.to_datetime(["2007-01-01", "2007-01-08"])
    national = pd.DataFrame(
        {
            "date": dates,
            "homicides_total": [5.0, 7.0],
            "homicides_cartel": [1.0, 2.0],
            "homicides_state": [0.0, 1.0],
            "homicides_bystander": [0.0, 0.5],
            "cocaine_delivered_t": [1.0, 2.0],
            "cocaine_seized_t": [0.1, 0.2],
            "laundered_usd": [10.0, 20.0],
            "plazas_disputed": [2, 4],
        }
    )
    cartels = pd.DataFrame(
        {
            "date": np.repeat(dates, 3),
            "cartel": ["A", "B", "C"] * 2,
            "plazas_held": [1, 1, 1, 4, 2, 2],
            "alive": [True, True, True, True, True, False],
        }
    )
    got = metrics_of(national, cartels, n_plazas=10)
    assert got == {
        "homicides_total": 12.0,
        "homicides_cartel": 3.0,
        "homicides_state": 1.0,
        "homicides_bystander": 0.5,
        "cocaine_delivered_t": 3.0,
        "cocaine_seized_t": pytest.approx(0.3),
        "laundered_usd": 30.0,
        "cartels_alive": 2.0,
        "hhi_plazas": 0.5**2 + 0.25**2 + 0.25**2,
        "share_disputed": 0.3,
    }
    nobody = cartels.assign(plazas_held=0)
    assert metrics_of(national, nobody, n_plazas=10)["hhi_plazas"] == 0.0


def test_tidy_frame(result: CompareResult) -> None:
    frame = result.to_frame()
    assert list(frame.columns) == list(COLUMNS)
    summary, seeds = frame[frame["row"] == "summary"], frame[frame["row"] == "seed"]
    assert len(summary) == len(POLICIES) * len(METRICS)
    assert len(seeds) == len(POLICIES) * len(SEEDS) * len(METRICS)
    assert len(frame) == len(summary) + len(seeds)
    assert summary["seed"].isna().all() and summary["value"].isna().all()
    assert seeds["seed"].notna().all() and seeds[list(COLUMNS[6:])].isna().all().all()
    assert summary[list(COLUMNS[6:-1])].notna().all().all()
    assert frame["draw"].isna().all() and summary["diff_between_draws"].isna().all()
    wide = seeds.pivot_table(index=["policy", "seed"], columns="metric", values="value")
    back = result.runs.set_index(["policy", "seed"])[wide.columns]
    assert np.array_equal(wide.loc[back.index].to_numpy(), back.to_numpy())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seeds": []}, "seeds: give at least one seed"),
        ({"seeds": [1, 2, 1]}, "seeds: listed more than once: 1"),
        ({"seeds": [-1]}, "seeds: each seed must be an integer >= 0 (got -1)"),
        ({"workers": 0}, "workers: must be an integer >= 1 (got 0)"),
    ],
)
def test_api_rejects_bad_input(variants: dict[str, Scenario], kwargs: dict, message: str) -> None:
    args = {"seeds": [1], **kwargs}
    with pytest.raises(PlazasimError) as info:
        compare(variants, **args)
    assert str(info.value) == message
    with pytest.raises(PlazasimError, match="at least one scenario"):
        compare({}, [1])


# --------------------------------------------------------------------------- CLI


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_writes_table_plot_and_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], variants: dict[str, Scenario]
) -> None:
    out = tmp_path / "cmp"
    code, stdout, err = _run(
        capsys,
        "compare",
        "synthetic-small",
        "--policies",
        "laissez_faire,crackdown",
        "--seeds",
        "4",
        "--until",
        UNTIL,
        "--out",
        str(out),
        "--workers",
        "1",
    )
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == [
        "compare.parquet",
        "compare.png",
        "manifest.json",
    ]
    assert (out / "compare.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    frame = pd.read_parquet(out / "compare.parquet")
    expected = compare({p: variants[p] for p in ("laissez_faire", "crackdown")}, [1, 2, 3, 4])
    assert_frame_equal(frame, expected.to_frame())  # the CLI gives what the API gives
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["variants"] == ["laissez_faire", "crackdown"]
    assert manifest["seeds"] == [1, 2, 3, 4]  # from the scenario's seed, 1
    assert manifest["workers"] == 1 and manifest["runs"] == 8
    assert manifest["scenarios"]["crackdown"]["policy"][0]["name"] == "crackdown"
    assert manifest["scenarios"]["crackdown"]["scenario"]["end"] == UNTIL
    assert "Median [5%, 95%] over 4 seeds" in stdout
    assert "Paired difference vs laissez_faire" in stdout
    for name in ("homicides_total", "hhi_plazas", "laissez_faire", "crackdown"):
        assert name in stdout
    assert f"wrote {out}" in stdout

    # a compare directory may be replaced by another comparison with --force
    code, _, err = _run(
        capsys,
        "compare",
        "synthetic-small",
        "--policies",
        "signaling,crackdown",
        "--seeds",
        "2",
        "--first-seed",
        "10",
        "--until",
        UNTIL,
        "--out",
        str(out),
        "--quiet",
        "--force",
    )
    assert code == 0, err
    assert json.loads((out / "manifest.json").read_text())["seeds"] == [10, 11]


def test_cli_scenarios_mode_and_default_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = bundled_scenarios()["synthetic-small"].read_text(encoding="utf-8")
    deadly = text.replace('name = "synthetic-small"', 'name = "deadly"').replace(
        "[parameters]", "[parameters]\nlethality = 0.05"
    )
    (tmp_path / "deadly.toml").write_text(deadly, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, stdout, err = _run(
        capsys,
        "compare",
        "--scenarios",
        "synthetic-small,deadly.toml",
        "--seeds",
        "3",
        "--until",
        UNTIL,
        "--workers",
        "1",
    )
    assert code == 0, err
    (out,) = (tmp_path / "runs").iterdir()
    assert out.name.startswith("compare-synthetic-small-vs-deadly-")
    frame = pd.read_parquet(out / "compare.parquet")
    assert frame["policy"].unique().tolist() == ["synthetic-small", "deadly"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenarios"]["deadly"]["parameters"]["lethality"] == 0.05
    text = " ".join(stdout.split())  # table titles may wrap at the terminal's width
    assert "deadly" in text and "Paired difference vs synthetic-small" in text


def _bad_cases(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    """Arguments and the error line (or its start, if it ends with '…') each must produce."""
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    a_run = tmp_path / "a-run"
    a_run.mkdir()
    (a_run / "manifest.json").write_text("{}")
    same = bundled_scenarios()["synthetic-small"].read_text(encoding="utf-8")
    (tmp_path / "same.toml").write_text(same, encoding="utf-8")
    ok = ["--seeds", "2", "--until", UNTIL]
    pol = ["compare", "synthetic-small", "--policies", "crackdown,laissez_faire"]
    return {
        "unknown policy": (
            ["compare", "synthetic-small", "--policies", "crackdown,foo", *ok],
            "error: --policies: unknown policy 'foo' (known: …",
        ),
        "unknown scenario": (
            ["compare", "--scenarios", "synthetic-small,nope", *ok],
            "error: --scenarios: unknown scenario 'nope' (bundled: …",
        ),
        "unknown SCENARIO": (
            ["compare", "nope", "--policies", "crackdown", *ok],
            "error: scenario: unknown scenario 'nope' (bundled: …",
        ),
        "zero seeds": ([*pol, "--seeds", "0"], "error: --seeds: must be >= 1 (got 0)"),
        "zero workers": ([*pol, *ok, "--workers", "0"], "error: --workers: must be >= 1 (got 0)"),
        "negative first seed": (
            [*pol, *ok, "--first-seed", "-1"],
            "error: --first-seed: must be >= 0 (got -1)",
        ),
        "both": (
            ["compare", "--policies", "crackdown", "--scenarios", "synthetic-small", *ok],
            "error: --policies: give either --policies or --scenarios, not both",
        ),
        "neither": (
            ["compare", "synthetic-small", *ok],
            "error: --policies: say what to compare: --policies a,b,... or --scenarios x,y,...",
        ),
        "duplicate policy": (
            ["compare", "synthetic-small", "--policies", "crackdown,signaling,crackdown", *ok],
            "error: --policies: 'crackdown' is listed twice",
        ),
        "empty policy": (
            ["compare", "synthetic-small", "--policies", "crackdown,", *ok],
            "error: --policies: empty name in 'crackdown,' (expected a comma-separated list)",
        ),
        "duplicate scenario": (
            ["compare", "--scenarios", "synthetic-small,synthetic-small", *ok],
            "error: --scenarios: 'synthetic-small' is listed twice",
        ),
        "same scenario name": (
            ["compare", "--scenarios", "synthetic-small,same.toml", *ok],
            "error: --scenarios: 'synthetic-small' and 'same.toml' are both "
            "named 'synthetic-small'; variants need distinct [scenario] "
            "names",
        ),
        "SCENARIO with --scenarios": (
            ["compare", "synthetic-small", "--scenarios", "synthetic-small", *ok],
            "error: --scenarios: list every scenario there; the "
            "SCENARIO argument ('synthetic-small') is only used with "
            "--policies",
        ),
        "until before start": (
            [*pol, "--seeds", "2", "--until", "2006-01-01"],
            "error: --until: 2006-01-01 is not after the start of synthetic-small …",
        ),
        "bad until": (
            [*pol, "--until", "someday"],
            "error: --until: invalid date 'someday' (expected YYYY-MM-DD)",
        ),
        "out not a run dir": (
            [*pol, *ok, "--out", str(precious)],
            f"error: --out: {precious} exists and is not a plazasim run "
            "directory (no manifest.json); refusing to replace it",
        ),
        "out is a run": (
            [*pol, *ok, "--out", str(a_run)],
            f"error: --out: {a_run} holds other plazasim results, not a compare "
            "directory (no compare.parquet); refusing to replace it",
        ),
    }


CASES = [
    "unknown policy",
    "unknown scenario",
    "unknown SCENARIO",
    "zero seeds",
    "zero workers",
    "negative first seed",
    "both",
    "neither",
    "duplicate policy",
    "empty policy",
    "duplicate scenario",
    "same scenario name",
    "SCENARIO with --scenarios",
    "until before start",
    "bad until",
    "out not a run dir",
    "out is a run",
]


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    case: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cases = _bad_cases(tmp_path)
    assert sorted(cases) == sorted(CASES)
    args, expected = cases[case]
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
    assert (tmp_path / "precious" / "notes.txt").read_text() == "keep me"
    assert [p.name for p in (tmp_path / "a-run").iterdir()] == ["manifest.json"]
