"""Designs are seeded, have the size they promise, and map the unit cube onto the factors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plazasim.sweep.design import make_design, n_points
from plazasim.sweep.runner import run_seed
from plazasim.sweep.spec import Categorical, Range, parse_spec


def _spec(design: str, samples: int, seed: int = 7) -> object:
    return parse_spec(f"""
[sweep]
scenario = "synthetic-small"
design = "{design}"
samples = {samples}
seed = {seed}
[parameters]
lethality = {{ low = 0.01, high = 0.05 }}
heat_decay = {{ low = 0.1, high = 0.9, scale = "log" }}
policy = ["signaling", "crackdown", "kingpin"]
""")


@pytest.mark.parametrize(
    ("design", "samples", "points"),
    [
        ("grid", 3, 3 * 3 * 3),
        ("lhs", 10, 10),
        ("random", 5, 5),
        ("sobol", 8, 8 * (3 + 2)),
        ("morris", 4, 4 * (3 + 1)),
    ],
)
def test_size_values_and_seeding(design: str, samples: int, points: int) -> None:
    spec = _spec(design, samples)
    d = make_design(spec)
    assert len(d.points) == n_points(spec) == points
    assert list(d.points.columns) == ["point_id", "lethality", "heat_decay", "policy"]
    assert d.points["point_id"].tolist() == list(range(points))
    assert d.points["lethality"].between(0.01, 0.05).all()
    assert d.points["heat_decay"].between(0.1, 0.9).all()
    assert set(d.points["policy"]) <= {"signaling", "crackdown", "kingpin"}
    again = make_design(_spec(design, samples))
    assert again.points.equals(d.points)  # same seed, same points
    if design != "grid":
        assert d.unit is not None and d.unit.shape == (points, 3)
        assert not make_design(_spec(design, samples, seed=8)).points.equals(d.points)


def test_grid_is_every_combination_with_the_ends() -> None:
    d = make_design(_spec("grid", 3))
    assert sorted(set(d.points["lethality"])) == pytest.approx([0.01, 0.03, 0.05])
    assert sorted(set(d.points["heat_decay"])) == pytest.approx([0.1, 0.3, 0.9])  # log levels
    assert len(d.points.drop(columns="point_id").drop_duplicates()) == 27


@given(n=st.integers(2, 60), seed=st.integers(0, 2**32))
@settings(max_examples=25, deadline=None)
def test_lhs_puts_one_point_in_each_stratum(n: int, seed: int) -> None:
    spec = _spec("lhs", n, seed)
    unit = make_design(spec).unit
    assert unit is not None
    for column in unit.T:
        assert sorted(np.floor(column * n).astype(int)) == list(range(n))


@given(u=st.floats(0.0, 1.0), k=st.integers(1, 6))
def test_factor_maps_stay_inside(u: float, k: int) -> None:
    values = tuple(f"v{i}" for i in range(k))
    assert Categorical(values).at(u) in values
    assert 2.0 <= Range(2.0, 8.0, log=True).at(u) <= 8.0 + 1e-12
    assert Range(-1.0, 1.0).at(u) == pytest.approx(-1.0 + 2.0 * u)


@given(seed=st.integers(0, 2**63 - 1), run_id=st.integers(0, 10**9))
def test_run_seeds_depend_only_on_the_sweep_seed_and_run_id(seed: int, run_id: int) -> None:
    assert run_seed(seed, run_id) == run_seed(seed, run_id)
    assert 0 <= run_seed(seed, run_id) < 2**32


def test_run_seeds_differ_between_runs_and_sweeps() -> None:
    seeds = [run_seed(7, i) for i in range(1000)]
    assert len(set(seeds)) == 1000
    assert run_seed(8, 0) != seeds[0]


def test_common_seeds_repeat_across_points_and_differ_from_run_seeds() -> None:
    common = [run_seed(7, run_id, common_replicate=run_id % 2) for run_id in range(6)]
    assert common == [common[0], common[1]] * 3 and common[0] != common[1]
    assert not set(common) & {run_seed(7, i) for i in range(1000)}
