"""The Mesa comparison model (benchmarks/mesa_model.py) follows plazasim's rules.

With every random draw fixed (``MeanDraws``) both implementations are
deterministic, so the same rules must give the same weeks, to rounding. Mesa is
a benchmark dependency only (the ``bench`` extra). ``make bench`` runs this on the
full horizons before it times the two; ``make test`` runs it with
``PLAZASIM_MESA_WEEKS`` set, which cuts every case to that many weeks.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("mesa")
sys.path.append(str(Path(__file__).resolve().parent))

from check_equivalence import DETERMINISTIC_COLUMNS, plazasim_with_draws
from mesa_model import MeanDraws, bench_policies, bench_scenario, run_mesa

from plazasim.events import IncursionEvent, RelationEvent
from plazasim.model.engine import simulate
from plazasim.model.params import Parameters
from plazasim.policies import make_policy
from plazasim.scenario import with_overrides
from plazasim.world import build_world
from plazasim.world.synthetic import synthetic_world
from plazasim.world.world import RIVAL

#: Weeks every case is cut to (``make test``), or 0 for each case's own horizon.
WEEKS_CAP = int(os.environ.get("PLAZASIM_MESA_WEEKS", "0") or 0)


def horizon(weeks: int) -> int:
    """A case's weeks, cut to ``PLAZASIM_MESA_WEEKS`` when it is set."""
    return min(weeks, WEEKS_CAP) if WEEKS_CAP > 0 else weeks


START = dt.date(2007, 1, 1)
WORLD = synthetic_world(300, seed=1, n_cartels=8)
#: The synthetic territories do not overlap, so with the default attack_bias nobody
#: meets a rival and every truce holds. A higher bias makes cartels attack: attacks on
#: neutrals' plazas declare rivalries, rival newcomers break truces, fronts open.
ATTACKS = {"attack_bias": -3.0}
#: Wars opened by events: A is ordered into a plaza of its rival B and sends members
#: there; D into six plazas of its neutral C (it takes one in week 51), E into six of its
#: neutral G (both pairs become rivals at war); allies A and C fall out (a war where they
#: share plazas, truce or not); in week 6 A is ordered into ten plazas of five cartels:
#: most are lost causes from the start, and, spread thin, it gives up B's plaza (the
#: members it sent fall back).
WARS = (
    (1, IncursionEvent("Cartel A", np.array([233]))),
    (1, IncursionEvent("Cartel D", np.array([43, 53, 168, 205, 248, 296]))),
    (1, IncursionEvent("Cartel E", np.array([44, 58, 98, 155, 197, 203]))),
    (3, RelationEvent("Cartel A", "Cartel C", RIVAL, label="rivalry")),
    (6, IncursionEvent("Cartel A", np.array([1, 2, 5, 6, 7, 8, 11, 12, 13, 14]))),
)


#: Violence pays only at war (a posture that depends on the war rule, even at u = 0.01).
VIOLENT_AT_WAR = {"violence_bias": -8.0, "violence_gain": 3.0}
#: Takedowns that weaken incumbents enough for rivals to notice (opportunism).
OPENINGS = {**ATTACKS, "takedown_share": 0.1}
#: Leaders fall a little at a time: splits wait for the fracture to build up, and decay.
SLOW_FRACTURE = {**ATTACKS, "kingpin_cohesion_loss": 0.1}
#: Beyond its declared range (0-0.5): no planned path gets this much dearer, so routes
#: change with relations only through the review of the cartels whose relations changed.
REVIEW_RELATIONS = {"route_cost_tolerance": 5.0}


# u = 0.02 makes most attacks, violent postures and leaks happen; kingpin at 0.01 also
# removes leaders, so cartels split (each splinter at war with its parent) and
# succession fights start.
@pytest.mark.parametrize(
    ("policy", "u", "overrides", "events", "weeks"),
    [
        ("signaling", 0.02, ATTACKS, (), 26),
        ("kingpin", 0.01, {}, (), 26),
        ("kingpin", 0.01, VIOLENT_AT_WAR, (), 26),
        ("kingpin", 0.03, SLOW_FRACTURE, (), 26),
        ("conditional", 0.02, ATTACKS, (), 26),
        ("crackdown", 0.1, OPENINGS, (), 26),
        ("crackdown", 0.5, REVIEW_RELATIONS, WARS, 52),
    ],
    ids=[
        "signaling",
        "kingpin",
        "kingpin-violent-at-war",
        "kingpin-slow-fracture",
        "conditional",
        "crackdown",
        "crackdown-wars",
    ],
)
def test_fixed_draws_give_the_same_weeks(
    policy: str, u: float, overrides: dict, events: tuple, weeks: int
) -> None:
    params = Parameters(**overrides)
    weeks = horizon(weeks)
    ref = plazasim_with_draws(
        WORLD, params, START, weeks, [(2, make_policy(policy))], MeanDraws(u), events
    )
    mesa = run_mesa(
        WORLD,
        params,
        start=START,
        n_weeks=weeks,
        seed=0,
        events=events,
        policies=[(2, make_policy(policy))],
        debug_rng=MeanDraws(u),
    )
    # Each case exercises enforcement and the war phase (fronts, members sent there).
    assert ref["operations"].sum() > 0 and ref["front_cells"].sum() > 0
    assert ref["members_deployed"].sum() > 0
    for col in DETERMINISTIC_COLUMNS:
        np.testing.assert_allclose(mesa[col], ref[col], rtol=1e-9, atol=1e-6, err_msg=col)


def test_fixed_draws_give_the_same_weeks_in_mexico() -> None:
    """The bench scenario's world under a crackdown: rivals share plazas from the start
    (truces hold until the operations weaken the incumbents), postures at the median."""
    scenario = with_overrides(bench_scenario(), policy="crackdown")
    world, params = build_world(scenario.world), scenario.parameters
    start, weeks = scenario.scenario.start, horizon(26)
    ref = plazasim_with_draws(world, params, start, weeks, bench_policies(scenario), MeanDraws(0.5))
    mesa = run_mesa(
        world,
        params,
        start=start,
        n_weeks=weeks,
        seed=0,
        policies=bench_policies(scenario),
        debug_rng=MeanDraws(0.5),
    )
    assert ref["operations"].sum() > 0 and ref["front_cells"].sum() > 0
    for col in DETERMINISTIC_COLUMNS:
        np.testing.assert_allclose(mesa[col], ref[col], rtol=1e-9, atol=1e-6, err_msg=col)


def test_first_week_supply_is_the_same_with_random_draws() -> None:
    params = Parameters()
    for seed in (1, 2):
        ref = simulate(
            WORLD,
            params,
            start=START,
            n_weeks=1,
            seed=seed,
            record_plazas=False,
            policies=[(0, make_policy("signaling"))],
        ).recorder.national_frame([START])
        mesa = run_mesa(
            WORLD,
            params,
            start=START,
            n_weeks=1,
            seed=seed,
            policies=[(0, make_policy("signaling"))],
        )
        for col in (
            "cocaine_entered_t",
            "cocaine_delivered_t",
            "cocaine_seized_t",
            "revenue_usd",
            "laundered_usd",
        ):
            np.testing.assert_allclose(mesa[col], ref[col], rtol=1e-12, err_msg=col)
