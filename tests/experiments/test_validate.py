"""The stylized-facts suite: estimators, intervals, criteria, and one real experiment."""

from __future__ import annotations

import numpy as np
import pytest

from plazasim.errors import PlazasimError
from plazasim.experiments import validate as v


def test_ratio_effect_is_pooled_over_seeds() -> None:
    arms = np.array([[10.0, 15.0], [30.0, 30.0]])  # control, treated per seed
    assert v.effect(arms, "ratio") == pytest.approx(45.0 / 40.0 - 1.0)


def test_an_effect_without_control_events_is_undefined_and_does_not_hold() -> None:
    arms = np.array([[0.0, 3.0], [0.0, 0.0]])
    assert np.isnan(v.effect(arms, "ratio"))
    lo, hi = v.interval(arms, "ratio")
    assert np.isnan(lo) and np.isnan(hi) and not v.holds("increase", lo, hi)


def test_ratio_gap_and_gap_estimators() -> None:
    arms = np.array([[10.0, 20.0, 100.0, 110.0]])
    assert v.effect(arms, "ratio_gap") == pytest.approx(1.0 - 0.1)
    # control 100, recruitment cut 90, incapacitation 70: incapacitation did better.
    assert v.effect(np.array([[100.0, 90.0, 70.0]]), "gap") == pytest.approx(-0.2)
    with pytest.raises(ValueError, match="estimator"):
        v.effect(arms, "median")


def test_interval_brackets_the_pooled_effect_and_is_reproducible() -> None:
    rng = np.random.default_rng(3)
    control = rng.poisson(50, size=12).astype(float)
    arms = np.stack([control, control * 1.3 + rng.normal(0, 3, 12)], axis=1)
    lo, hi = v.interval(arms, "ratio")
    assert lo < v.effect(arms, "ratio") < hi
    assert 0.15 < lo < hi < 0.45
    assert v.interval(arms, "ratio") == (lo, hi)
    # One seed: no spread to resample.
    single = arms[:1]
    assert v.interval(single, "ratio") == (v.effect(single, "ratio"),) * 2


@pytest.mark.parametrize(
    ("criterion", "lo", "hi", "expected"),
    [
        ("increase", 0.01, 0.5, True),
        ("increase", -0.01, 0.5, False),
        ("decrease", -0.5, -0.01, True),
        ("decrease", -0.5, 0.0, False),
        ("no_shrink", -0.019, 0.3, True),
        ("no_shrink", -0.05, 0.3, False),
        ("increase", float("nan"), 1.0, False),
    ],
)
def test_holds_follows_the_stated_criterion(
    criterion: str, lo: float, hi: float, expected: bool
) -> None:
    assert v.holds(criterion, lo, hi) is expected


def test_every_fact_has_a_known_experiment_estimator_and_criterion() -> None:
    names = [f.name for f in v.FACTS]
    assert len(names) == len(set(names)) >= 6
    for fact in v.FACTS:
        assert fact.experiment in v.EXPERIMENTS
        assert fact.criterion in v.CRITERIA
        assert fact.source and fact.published
        v.effect(np.ones((1, 4)), fact.estimator)  # a known estimator


def test_unknown_experiment_and_empty_seeds_are_one_line_errors() -> None:
    with pytest.raises(PlazasimError, match=r"^experiments: unknown 'nope' \(known: kingpin"):
        v.validate([1], experiments=["nope"])
    with pytest.raises(PlazasimError, match=r"^seeds: "):
        v.validate([], experiments=["kingpin"])


def test_a_real_experiment_end_to_end() -> None:
    result = v.validate([1, 2], experiments=["crackdown_diversion"])
    table = result.table
    assert list(table.columns) == v.COLUMNS
    assert list(table.fact) == [
        "crackdown_local_violence",
        "crackdown_flow_diverted",
        "crackdown_diverted_violence",
    ]
    assert (table.n_seeds == 2).all()
    for row in table.itertuples():
        if np.isfinite(row.measured):
            assert row.lo <= row.measured <= row.hi or np.isclose(row.lo, row.hi)
        assert row.holds == v.holds(
            next(f.criterion for f in v.FACTS if f.name == row.fact), row.lo, row.hi
        )
    # Per-seed arm sums: 3 facts x 2 seeds x 2 arms, non-negative, and rerunning a seed
    # gives the same numbers (the task is a pure function of experiment and seed).
    assert len(result.samples) == 12 and (result.samples.value >= 0).all()
    again = v.run_experiment(("crackdown_diversion", 2))
    mine = result.samples[result.samples.seed == 2]
    for fact, arms in again.items():
        assert list(mine[mine.fact == fact].value) == list(arms)


def test_cli_writes_the_table_and_bad_input_is_one_line(tmp_path, capsys) -> None:
    import pandas as pd

    from plazasim.cli import main

    out = tmp_path / "v"
    code = main(
        [
            "validate",
            "--seeds",
            "1",
            "--experiments",
            "crackdown_diversion",
            "--workers",
            "1",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0
    table = pd.read_parquet(out / v.VALIDATION_TABLE)
    assert list(table.columns) == v.COLUMNS and len(table) == 3
    assert (out / v.VALIDATION_SAMPLES).is_file() and (out / "manifest.json").is_file()
    assert (out / "validation.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    capsys.readouterr()
    for args, message in [
        (["--seeds", "0"], "error: --seeds: must be >= 1 (got 0)"),
        (["--experiments", "kingpin,nope"], "error: --experiments: unknown 'nope' (known: "),
        (["--workers", "0"], "error: --workers: must be >= 1 (got 0)"),
        (["--first-seed", "-1"], "error: --first-seed: must be >= 0 (got -1)"),
    ]:
        bad = tmp_path / "bad"
        assert main(["validate", *args, "--out", str(bad)]) == 2
        err = capsys.readouterr().err.splitlines()
        assert len(err) == 1 and err[0].startswith(message), err
        assert not bad.exists()
    # A directory that is not an earlier validation is never replaced.
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    assert main(["validate", "--seeds", "1", "--out", str(tmp_path / "mine")]) == 2
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep"
