"""The Mesa comparison model (benchmarks/mesa_model.py) follows plazasim's rules.

With every random draw fixed (``MeanDraws``) both implementations are
deterministic, so the same rules must give the same weeks, to rounding. Skipped
where mesa is not installed (CI installs only the test extra).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("mesa")
sys.path.append(str(Path(__file__).resolve().parents[1] / "benchmarks"))

from check_equivalence import DETERMINISTIC_COLUMNS, plazasim_with_draws
from mesa_model import MeanDraws, run_mesa

from plazasim.model.engine import simulate
from plazasim.model.params import Parameters
from plazasim.policies import make_policy
from plazasim.world.synthetic import synthetic_world

START = dt.date(2007, 1, 1)
WORLD = synthetic_world(300, seed=1, n_cartels=8)


# u = 0.02 makes most attacks, violent postures and leaks happen; kingpin at 0.01 also
# removes leaders, so cartels split and succession fights start.
@pytest.mark.parametrize(("policy", "u"), [("signaling", 0.02), ("kingpin", 0.01),
                                           ("conditional", 0.02), ("crackdown", 0.5)])
def test_fixed_draws_give_the_same_weeks(policy: str, u: float) -> None:
    params, weeks = Parameters(), 26
    ref = plazasim_with_draws(WORLD, params, START, weeks, [(2, make_policy(policy))],
                              MeanDraws(u))
    mesa = run_mesa(WORLD, params, start=START, n_weeks=weeks, seed=0,
                    policies=[(2, make_policy(policy))], debug_rng=MeanDraws(u))
    assert ref["operations"].sum() > 0
    for col in DETERMINISTIC_COLUMNS:
        np.testing.assert_allclose(mesa[col], ref[col], rtol=1e-9, atol=1e-6, err_msg=col)


def test_first_week_supply_is_the_same_with_random_draws() -> None:
    params = Parameters()
    for seed in (1, 2):
        ref = simulate(WORLD, params, start=START, n_weeks=1, seed=seed, record_plazas=False,
                       policies=[(0, make_policy("signaling"))]).recorder.national_frame([START])
        mesa = run_mesa(WORLD, params, start=START, n_weeks=1, seed=seed,
                        policies=[(0, make_policy("signaling"))])
        for col in ("cocaine_entered_t", "cocaine_delivered_t", "cocaine_seized_t",
                    "revenue_usd", "laundered_usd"):
            np.testing.assert_allclose(mesa[col], ref[col], rtol=1e-12, err_msg=col)
