"""Prior draws: Latin hypercube strata, bounds, integers, seeds; applying a draw re-validates."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plazasim.calibration_spec import CalibrationSpec, ResolvedPrior
from plazasim.errors import PlazasimError, ScenarioError
from plazasim.experiments.priors import (
    NO_CALIBRATION,
    apply_draw,
    latin_hypercube,
    require_priors,
    sample_priors,
)
from plazasim.model.params import Parameters
from plazasim.scenario import load_scenario, parse_scenario

HEAD = """\
[scenario]
name = "t"
start = 2007-01-01
end = 2007-03-01
seed = 5
"""


def _priors(table: str) -> dict[str, ResolvedPrior]:
    return require_priors(parse_scenario(HEAD + table))


def _strata(values: np.ndarray, n: int) -> list[int]:
    """Which of the n equal slices of [0, 1) each value falls in, sorted."""
    return sorted(np.minimum((values * n).astype(int), n - 1).tolist())


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 60), st.integers(1, 6), st.integers(0, 2**32 - 1))
def test_latin_hypercube_hits_every_slice_once(n: int, d: int, seed: int) -> None:
    u = latin_hypercube(n, d, np.random.default_rng(seed))
    assert u.shape == (n, d)
    assert ((u >= 0) & (u < 1)).all()
    for j in range(d):
        assert _strata(u[:, j], n) == list(range(n))


def test_draws_repeat_for_a_seed_and_differ_across_seeds() -> None:
    priors = _priors("[calibration]\nparameters = ['lethality', 'recruit_rate', 'hold_weeks']\n")
    a, b = sample_priors(priors, 8, seed=3), sample_priors(priors, 8, seed=3)
    assert a == b
    assert sample_priors(priors, 8, seed=4) != a
    assert [list(d) for d in a] == [list(priors)] * 8


PRIOR_TABLES = st.sampled_from(
    [
        "lethality = { distribution = 'uniform', low = 0.01, high = 0.1 }",
        "lethality = { distribution = 'loguniform', low = 0.005, high = 0.2 }",
        "lethality = { distribution = 'truncnormal', mean = 0.02, sd = 0.05 }",
        "lethality = { distribution = 'truncnormal', mean = 0.5, sd = 0.01, high = 0.2 }",
        "hold_weeks = { distribution = 'uniform' }",
        "hold_weeks = { distribution = 'loguniform', low = 1, high = 12 }",
        "max_cartels = { distribution = 'truncnormal', mean = 24, sd = 8, low = 16, high = 40 }",
        "attack_bias = { low = -10, high = 0 }",
    ]
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(PRIOR_TABLES, min_size=1, max_size=3, unique_by=lambda t: t.split()[0]),
    st.integers(1, 40),
    st.integers(0, 2**32 - 1),
)
def test_draws_lie_inside_their_priors(tables: list[str], n: int, seed: int) -> None:
    priors = _priors("[calibration.priors]\n" + "\n".join(tables) + "\n")
    draws = sample_priors(priors, n, seed)
    assert len(draws) == n
    for draw in draws:
        Parameters(**draw)  # every draw is a valid parameter set
        for name, value in draw.items():
            prior = priors[name]
            assert prior.low <= value <= prior.high
            assert type(value) is (int if prior.integer else float)


def test_loguniform_is_stratified_on_the_log_scale() -> None:
    priors = _priors(
        "[calibration.priors]\nlethality = { distribution = 'loguniform', "
        "low = 0.005, high = 0.1 }\n"
    )
    n = 50
    x = np.array([d["lethality"] for d in sample_priors(priors, n, seed=9)])
    u = (np.log(x) - math.log(0.005)) / (math.log(0.1) - math.log(0.005))
    assert _strata(u, n) == list(range(n))
    assert np.median(x) < (0.005 + 0.1) / 2  # a log scale puts half the draws below ~0.022


def test_integer_parameter_is_rounded_and_every_value_equally_likely() -> None:
    priors = _priors("[calibration]\nparameters = ['hold_weeks']\n")  # declared range 1-12
    values = [d["hold_weeks"] for d in sample_priors(priors, 120, seed=2)]
    assert all(isinstance(v, int) for v in values)
    assert np.bincount(values, minlength=13)[1:].tolist() == [10] * 12


def test_sample_priors_refuses_no_draws() -> None:
    priors = _priors("[calibration]\nparameters = ['lethality']\n")
    with pytest.raises(PlazasimError, match=r"^draws: must be an integer >= 1 \(got 0\)$"):
        sample_priors(priors, 0, seed=1)


def test_require_priors_needs_the_table() -> None:
    with pytest.raises(PlazasimError) as info:
        require_priors(load_scenario("synthetic-small"))
    assert str(info.value) == NO_CALIBRATION
    assert NO_CALIBRATION == "scenario has no [calibration] table; add one (docs/SCENARIOS.md)"


def test_apply_draw_sets_values_and_seed_and_keeps_the_rest() -> None:
    sc = parse_scenario(HEAD + "[parameters]\nlethality = 0.05\nbribe_share = 0.2\n")
    out = apply_draw(sc, {"lethality": 0.01, "hold_weeks": 6}, seed=11)
    assert out.parameters.lethality == 0.01 and out.parameters.hold_weeks == 6
    assert out.parameters.bribe_share == 0.2  # untouched [parameters] value
    assert out.scenario.seed == 11
    assert apply_draw(sc, {}).scenario.seed == 5
    assert out.model_dump(exclude={"parameters", "scenario"}) == sc.model_dump(
        exclude={"parameters", "scenario"}
    )


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"launder_share": 1.5},
            "parameters.launder_share: Input should be less than or equal to 1 (got 1.5)",
        ),
        ({"lethalty": 0.01}, "parameters.lethalty: unknown key"),
        (
            {"hold_weeks": 2.5},
            "parameters.hold_weeks: Input should be a valid integer, got a "
            "number with a fractional part",
        ),
    ],
)
def test_apply_draw_validates_like_a_scenario_file(values: dict, expected: str) -> None:
    with pytest.raises(ScenarioError) as info:
        apply_draw(parse_scenario(HEAD), values)
    assert str(info.value) == expected


def test_resolved_priors_of_a_spec_object() -> None:
    spec = CalibrationSpec(parameters=["split_rate"])
    draws = sample_priors(spec.resolved(), 5, seed=0)
    assert all(0.0 <= d["split_rate"] <= 0.3 for d in draws)
