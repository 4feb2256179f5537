"""Ordinary homicide and its spill-over from the cartels' killings (model.baseline)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plazasim.model.baseline import baseline_homicides, update_disorder
from plazasim.model.revenue import population_this_week


def test_disorder_is_an_exponential_mean_of_related_killings(fresh) -> None:
    state, ctx = fresh(spillover_memory_weeks=4.0)
    related = np.zeros(state.disorder.shape)
    related[7] = 8.0
    update_disorder(state, ctx, related)
    assert state.disorder[7] == 2.0  # a quarter of the new week
    assert state.disorder.sum() == 2.0
    update_disorder(state, ctx, np.zeros_like(related))
    assert state.disorder[7] == 1.5  # three quarters kept


# ``fresh`` is a factory: each example builds its own state.
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(kills=st.lists(st.floats(0.0, 50.0), min_size=1, max_size=30), memory=st.floats(1.0, 104.0))
def test_disorder_stays_between_zero_and_the_largest_week(fresh, kills, memory) -> None:
    state, ctx = fresh(spillover_memory_weeks=memory)
    for k in kills:
        update_disorder(state, ctx, np.full(state.disorder.shape, k))
        assert (state.disorder >= 0.0).all()
        assert (state.disorder <= max(kills) + 1e-9).all()


def _mean_baseline(state, ctx, draws: int = 400) -> np.ndarray:
    rng = np.random.default_rng(5)
    return np.mean([baseline_homicides(state, ctx, rng) for _ in range(draws)], axis=0)


def test_no_spillover_without_cartel_killings(fresh) -> None:
    state, ctx = fresh(spillover_per_killing=1.0)
    off, ctx_off = fresh(spillover_per_killing=0.0)
    rng_a, rng_b = np.random.default_rng(1), np.random.default_rng(1)
    np.testing.assert_array_equal(
        baseline_homicides(state, ctx, rng_a), baseline_homicides(off, ctx_off, rng_b)
    )


def test_spillover_adds_its_share_of_recent_killings_where_they_happen(fresh) -> None:
    state, ctx = fresh(spillover_per_killing=0.5, baseline_scale=0.5)
    pre_war = ctx.world.baseline_rate * 0.5 * population_this_week(ctx, state.week) / 1e5 / 52.0
    state.disorder[3] = 20.0
    mean = _mean_baseline(state, ctx)
    assert abs(mean[3] - (pre_war[3] + 10.0)) < 0.6  # Poisson mean 10 + pre-war, 400 draws
    others = np.delete(np.arange(mean.size), 3)
    assert abs(mean[others].sum() - pre_war[others].sum()) < 0.05 * pre_war[others].sum() + 3


def test_the_trend_runs_from_the_middle_of_the_baseline_years(fresh) -> None:
    """A rate averaged over earlier years starts the run where the trend has taken it."""
    from dataclasses import replace

    state, ctx = fresh(baseline_scale=1.0, baseline_trend_per_year=-0.1, spillover_per_killing=0.0)
    aged = replace(ctx, world=replace(ctx.world, baseline_age_years=3.0))
    now = ctx.world.baseline_rate * population_this_week(ctx, state.week) / 1e5 / 52.0
    young, old = _mean_baseline(state, ctx).sum(), _mean_baseline(state, aged).sum()
    assert abs(young - now.sum()) < 0.03 * now.sum()
    assert abs(old - now.sum() * np.exp(-0.3)) < 0.03 * now.sum()
