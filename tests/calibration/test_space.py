"""The search space: logit-of-CDF coordinates, integers rounded, round trips."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from plazasim.calibration.sampler import job_seed
from plazasim.calibration.space import SearchSpace
from plazasim.calibration_spec import CalibrationSpec

SPEC = CalibrationSpec.model_validate(
    {
        "parameters": ["retreat_share"],
        "priors": {
            "lethality": {"distribution": "loguniform", "low": 0.001, "high": 0.02},
            "hold_weeks": {"distribution": "uniform", "low": 2, "high": 8},
            "bystander_ratio": {
                "distribution": "truncnormal",
                "low": 0.0,
                "high": 1.0,
                "mean": 0.3,
                "sd": 0.2,
            },
        },
    }
)
SPACE = SearchSpace(SPEC.resolved())


def test_every_parameter_is_searched_on_the_logit_of_its_prior_cdf() -> None:
    assert SPACE.coordinates() == ["z_" + name for name in SPEC.resolved()]
    # The prior median of each parameter sits at z = 0; the bounds are far out.
    z = SPACE.particle(
        {
            "lethality": math.sqrt(0.001 * 0.02),
            "retreat_share": 0.02 + 0.48 / 2,
            "hold_weeks": 5,
            "bystander_ratio": 0.3,
        }
    )
    assert z["z_lethality"] == pytest.approx(0.0, abs=1e-9)
    assert z["z_hold_weeks"] == pytest.approx(0.0, abs=1e-9)
    edge = SPACE.particle(
        {"lethality": 0.02, "retreat_share": 0.02, "hold_weeks": 8, "bystander_ratio": 0.0}
    )
    assert edge["z_lethality"] > 20 and edge["z_retreat_share"] < -20
    # No walls: the prior has density everywhere, a standard logistic per coordinate.
    prior = SPACE.distribution()
    far = {c: 40.0 for c in SPACE.coordinates()}
    assert prior.pdf(far) > 0
    assert prior.pdf({c: 0.0 for c in SPACE.coordinates()}) == pytest.approx(0.25**4)


def test_prior_draws_map_into_each_parameters_range() -> None:
    np.random.seed(3)
    prior = SPACE.distribution()
    draws = [SPACE.values(prior.rvs()) for _ in range(400)]
    leth = np.array([d["lethality"] for d in draws])
    assert leth.min() >= 0.001 and leth.max() <= 0.02
    assert np.mean(leth < math.sqrt(0.001 * 0.02)) == pytest.approx(0.5, abs=0.08)  # log-flat
    weeks = [d["hold_weeks"] for d in draws]
    assert set(weeks) == set(range(2, 9)) and all(isinstance(w, int) for w in weeks)
    assert all(0.0 <= d["bystander_ratio"] <= 1.0 for d in draws)


@given(st.floats(0.001, 0.02), st.floats(0.02, 0.5), st.integers(2, 8), st.floats(0, 1))
def test_values_and_particle_are_inverse(
    leth: float, share: float, weeks: int, ratio: float
) -> None:
    values = {
        "retreat_share": share,
        "lethality": leth,
        "hold_weeks": weeks,
        "bystander_ratio": ratio,
    }
    back = SPACE.values(SPACE.particle(values))
    assert back["hold_weeks"] == weeks
    for name in ("retreat_share", "lethality", "bystander_ratio"):
        # Exactly at a bound, the CDF is held 1e-12 inside it.
        assert back[name] == pytest.approx(values[name], rel=1e-9, abs=1e-9)


def test_job_seeds_are_fixed_and_distinct() -> None:
    seeds = {job_seed(42, t, j) for t in range(-1, 5) for j in range(200)}
    assert len(seeds) == 6 * 200
    assert job_seed(42, 0, 7) == job_seed(42, 0, 7) != job_seed(43, 0, 7)
