"""Non-cartel (baseline) homicides: the violence Mexico had before the drug war.

Form: each plaza's INEGI 2000-2006 homicide rate x its
population, scaled by ``baseline_scale`` (the share of pre-war homicides not
caused by cartels) and a log-linear national trend ``baseline_trend_per_year``
(INEGI 2000-2006 fell ~1.5%/yr). National level: ~10,000/yr before 2007.
Drawn as Poisson counts each week.
"""

from __future__ import annotations

import numpy as np

from plazasim.model.context import Context
from plazasim.model.revenue import population_this_week
from plazasim.model.state import State


def baseline_homicides(state: State, ctx: Context, rng: np.random.Generator) -> np.ndarray:
    """``(P,)`` baseline homicides this week (persons)."""
    p = ctx.params
    world = ctx.world
    years = state.week / 52.0
    rate = world.baseline_rate * p.baseline_scale * np.exp(p.baseline_trend_per_year * years)
    return rng.poisson(rate * population_this_week(ctx, state.week) / 1e5 / 52.0).astype(float)
