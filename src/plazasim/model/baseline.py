"""Homicides outside the cartels' own killings: Mexico's pre-war violence and its spill-over.

Two parts, drawn together as Poisson counts each week:

* **Pre-war violence.** Each plaza's INEGI 2000-2006 homicide rate x its
  population, scaled by ``baseline_scale`` (the share of pre-war homicides not
  caused by cartels) and a log-linear national trend ``baseline_trend_per_year``
  (INEGI 2000-2006 fell ~1.5%/yr). The rate is a mean over years before the run
  (2000-2006 for Mexico, i.e. mid-2003), so the trend runs from the middle of those
  years (``World.baseline_age_years``), not from the run's start: a declining
  trend has already lowered the level by the first week. National level: ~10,000/yr
  in 2000-2006.
* **Spill-over.** Where cartels kill, ordinary homicide rises too: removing a
  cartel's leaders raised civilian (non-DTO) homicides in the municipality as well
  as the cartels' own killings (Calderón, Robles, Díaz-Cayeros & Magaloni 2015,
  *J. Conflict Resolution* 59(8)), and drug violence spreads in space and time
  (Osorio 2015, same issue). The model adds ``spillover_per_killing`` ordinary
  homicides for each recent cartel-related killing in the plaza, where "recent"
  is ``State.disorder``: an exponentially weighted mean over about
  ``spillover_memory_weeks``. This is why national homicides (INEGI) can grow
  faster than the killings the government attributes to the cartels
  (Presidencia), as they did in 2008-2010, without a rule per year.
* **How far the spill-over reaches.** A share ``spillover_national_share`` of it
  spreads over the whole country, in proportion to each plaza's ordinary homicide,
  instead of staying where the cartels killed. Drug violence spreads beyond the
  places it starts (Osorio 2015), and in the record the homicides the government
  did not attribute to the cartels rose from 2007 to 2010 in most states, also
  where it recorded few cartel killings (docs/MODEL.md, "Baseline homicides").
  The calibration decides the share; at 0 the spill-over is purely local.
"""

from __future__ import annotations

import numpy as np

from plazasim.model.context import Context
from plazasim.model.revenue import population_this_week
from plazasim.model.state import State


def update_disorder(state: State, ctx: Context, related: np.ndarray) -> None:
    """Fold this week's cartel-related killings into ``State.disorder``.

    ``related`` is ``(P,)`` persons; the new week weighs ``1 / spillover_memory_weeks``.
    """
    w = 1.0 / ctx.params.spillover_memory_weeks
    state.disorder *= 1.0 - w
    state.disorder += w * related


def baseline_homicides(state: State, ctx: Context, rng: np.random.Generator) -> np.ndarray:
    """``(P,)`` homicides this week outside the cartels' own killings (persons)."""
    p = ctx.params
    world = ctx.world
    years = state.week / 52.0 + world.baseline_age_years
    rate = world.baseline_rate * p.baseline_scale * np.exp(p.baseline_trend_per_year * years)
    ordinary = rate * population_this_week(ctx, state.week) / 1e5 / 52.0
    return rng.poisson(ordinary + spillover(ordinary, state, ctx)).astype(float)


def spillover(ordinary: np.ndarray, state: State, ctx: Context) -> np.ndarray:
    """``(P,)`` expected ordinary homicides this week that the war's recent killings add.

    ``spillover_per_killing`` x ``State.disorder`` in all; the share
    ``spillover_national_share`` of that total is spread over the whole country in
    proportion to ``ordinary`` (each plaza's expected pre-war homicides this week), the
    rest stays where the killing was. The total does not depend on the share.
    """
    p = ctx.params
    local = p.spillover_per_killing * state.disorder
    share = p.spillover_national_share
    total_ordinary = float(ordinary.sum())
    if share == 0.0 or total_ordinary <= 0.0:
        return local
    pooled = share * float(local.sum())
    return (1.0 - share) * local + ordinary * (pooled / total_ordinary)
