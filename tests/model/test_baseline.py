"""Ordinary homicide and its spill-over from the cartels' killings (model.baseline)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plazasim.model.baseline import baseline_homicides, spillover, update_disorder
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


def _ordinary(state, ctx) -> np.ndarray:
    p = ctx.params
    years = state.week / 52.0 + ctx.world.baseline_age_years
    rate = ctx.world.baseline_rate * p.baseline_scale * np.exp(p.baseline_trend_per_year * years)
    return rate * population_this_week(ctx, state.week) / 1e5 / 52.0


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    share=st.floats(0.0, 1.0),
    per_killing=st.floats(0.0, 2.0),
    disorder=st.lists(st.floats(0.0, 100.0), min_size=1, max_size=8),
)
def test_the_national_share_moves_the_spillover_without_changing_its_total(
    fresh, share, per_killing, disorder
) -> None:
    state, ctx = fresh(spillover_per_killing=per_killing, spillover_national_share=share)
    state.disorder[: len(disorder)] = disorder
    added = spillover(_ordinary(state, ctx), state, ctx)
    total = per_killing * state.disorder.sum()
    assert (added >= 0.0).all()
    assert abs(added.sum() - total) <= 1e-9 * max(total, 1.0)
    if share == 0.0:
        np.testing.assert_array_equal(added, per_killing * state.disorder)


def test_a_national_share_reaches_plazas_without_killings_by_their_ordinary_homicide(
    fresh,
) -> None:
    state, ctx = fresh(spillover_per_killing=0.5, spillover_national_share=0.4)
    state.disorder[3] = 20.0  # 10 spill-over homicides a week, all from plaza 3
    ordinary = _ordinary(state, ctx)
    added = spillover(ordinary, state, ctx)
    pooled = 0.4 * 10.0 * ordinary / ordinary.sum()
    others = np.delete(np.arange(added.size), 3)
    np.testing.assert_allclose(added[others], pooled[others], rtol=1e-12)
    assert np.isclose(added[3], 0.6 * 10.0 + pooled[3], rtol=1e-12)


def test_a_fully_national_spillover_follows_ordinary_homicide(fresh) -> None:
    state, ctx = fresh(spillover_per_killing=1.0, spillover_national_share=1.0)
    state.disorder[:] = 0.0
    state.disorder[0] = 7.0
    ordinary = _ordinary(state, ctx)
    added = spillover(ordinary, state, ctx)
    np.testing.assert_allclose(added / ordinary, 7.0 / ordinary.sum(), rtol=1e-12)
