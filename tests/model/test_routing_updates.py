"""Re-planning routes only when something material changes (issue 4), and exactly so."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plazasim.model.context import Context
from plazasim.model.routing import (
    compute_routes,
    merge_routes,
    path_costs,
    stale_cartels,
    update_routes,
)
from plazasim.model.state import State


def same(a: object, b: object) -> None:
    for f in fields(a):
        np.testing.assert_array_equal(getattr(a, f.name), getattr(b, f.name), err_msg=f.name)


def test_planned_cost_is_the_cost_the_planner_minimised(
    fresh: Callable[..., tuple[State, Context]],
) -> None:
    state, ctx = fresh()
    state.heat[::3] = 2.0
    routes = compute_routes(state, ctx)
    np.testing.assert_allclose(path_costs(state, ctx, routes), routes.cost)
    ok = np.isfinite(routes.cost)
    assert ok.any() and (routes.hop_km[routes.start[ok]] == 0).all()
    assert (routes.hop_km[routes.length[routes.path_of] > 1] >= 0).all()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    subset=st.lists(st.integers(0, 3), min_size=1, max_size=4, unique=True), hot=st.integers(0, 59)
)
def test_a_partial_replan_equals_a_full_one_for_those_cartels(
    fresh: Callable[..., tuple[State, Context]], subset: list[int], hot: int
) -> None:
    state, ctx = fresh()
    old = compute_routes(state, ctx)
    state.heat[hot] = 5.0  # costs change; the re-planned cartels see it, the others do not
    chosen = np.array(sorted(subset))
    merged = merge_routes(old, compute_routes(state, ctx, chosen))
    full = compute_routes(state, ctx)
    for k in range(4):
        mine = merged.cartels == k
        ref = full if k in subset else old
        theirs = ref.cartels == k
        np.testing.assert_array_equal(merged.sources[mine], ref.sources[theirs])
        np.testing.assert_allclose(merged.cost[mine], ref.cost[theirs])
        for row_m, row_r in zip(np.flatnonzero(mine), np.flatnonzero(theirs), strict=True):
            seg = slice(merged.start[row_m], merged.start[row_m] + merged.length[row_m])
            ref_seg = slice(ref.start[row_r], ref.start[row_r] + ref.length[row_r])
            np.testing.assert_array_equal(merged.nodes[seg], ref.nodes[ref_seg])
            np.testing.assert_array_equal(merged.hop_km[seg], ref.hop_km[ref_seg])
    # Merging everything in is the full plan itself.
    same(merge_routes(old, full), full)


def test_nobody_replans_before_the_update_interval_and_a_heated_cartel_does_after(
    fresh: Callable[..., tuple[State, Context]],
) -> None:
    state, ctx = fresh(route_update_weeks=4, route_max_age_weeks=13, route_cost_tolerance=0.05)
    assert stale_cartels(state, ctx) is None  # no plan yet
    update_routes(state, ctx)
    plan = state.routes
    # A plaza on exactly one cartel's routes: a crackdown there concerns k alone.
    users = np.zeros((state.n_slots, ctx.n_plazas), dtype=bool)
    users[plan.cartels[plan.path_of], plan.nodes] = True
    first = np.zeros(plan.nodes.size, dtype=bool)
    first[plan.start[plan.length > 0]] = True
    lone = np.flatnonzero((users.sum(axis=0) == 1)[plan.nodes] & ~first)
    middle = int(plan.nodes[lone[0]])
    k = int(plan.cartels[plan.path_of[lone[0]]])
    state.heat[middle] = 50.0
    state.week = 3
    assert stale_cartels(state, ctx).size == 0  # too soon
    state.week = 5
    assert stale_cartels(state, ctx).size == 0  # not a review week
    state.week = 8
    stale = stale_cartels(state, ctx).tolist()
    assert k in stale
    update_routes(state, ctx)
    replanned = np.isin(state.routes.cartels, stale)
    assert (state.routes.planned_week[replanned] == 8).all()
    assert (state.routes.planned_week[~replanned] == 0).all()  # the others keep their plan
    assert (~replanned).any()  # the heat did not make everybody re-plan


def test_relations_age_and_the_cartel_set_force_replans(
    fresh: Callable[..., tuple[State, Context]],
) -> None:
    state, ctx = fresh(route_max_age_weeks=12)
    update_routes(state, ctx)
    state.week = 5
    state.routes_dirty.update({1, 2})
    # Cartels whose relations changed wait for the next review week (every 4 weeks).
    assert stale_cartels(state, ctx).tolist() == []
    update_routes(state, ctx)
    assert state.routes_dirty == {1, 2}
    state.week = 8
    assert stale_cartels(state, ctx).tolist() == [1, 2]
    update_routes(state, ctx)
    assert not state.routes_dirty
    state.week = 11
    assert stale_cartels(state, ctx).tolist() == []  # not a review week
    state.week = 12
    assert stale_cartels(state, ctx).tolist() == [0, 3]  # 1 and 2 were re-planned at 8
    update_routes(state, ctx)
    # A dissolved cartel's paths are dropped; a new faction plans its own, nobody else.
    state.week = 13
    state.alive[3] = False
    state.alive[5] = True
    state.strength[5] = state.strength[0] * 0.5
    assert stale_cartels(state, ctx).tolist() == [5]
    update_routes(state, ctx)
    assert set(np.unique(state.routes.cartels).tolist()) == {0, 1, 2, 5}
    assert (state.routes.planned_week[state.routes.cartels == 5] == 13).all()
    assert (state.routes.planned_week[state.routes.cartels == 0] == 12).all()
