"""Optimised kernels give the same numbers as the straightforward versions (issue 4)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from plazasim.model.conflict import contest_leaders
from plazasim.model.context import Context
from plazasim.model.enforcement import observe, surge_operations
from plazasim.model.state import State, sparse_poisson
from plazasim.policies import make_policy
from plazasim.policies.base import Operations


def dense_contest(
    strength: np.ndarray, alive: np.ndarray, threshold: float, gamma: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The straightforward form: whole (K, P) arrays and argmax."""
    s = np.where(alive[:, None], strength, 0.0)
    present = s >= threshold
    sg = np.where(present, s, 0.0) ** gamma
    total = sg.sum(axis=0)
    leader = np.argmax(sg, axis=0)
    share = np.where(total > 0, sg[leader, np.arange(s.shape[1])] / np.maximum(total, 1e-300), 0.0)
    return leader, share, present.any(axis=0)


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    k=st.integers(1, 6),
    p=st.integers(1, 12),
    gamma=st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.3]),
)
def test_contest_leaders_matches_the_dense_argmax(
    data: st.DataObject, k: int, p: int, gamma: float
) -> None:
    # Small integers make ties common, which is where argmax semantics matter.
    strength = data.draw(arrays(np.float64, (k, p), elements=st.integers(0, 12).map(float)))
    alive = data.draw(arrays(bool, k))
    rows = np.flatnonzero(alive)
    leader, share, anyp = contest_leaders(strength, rows, 5.0, gamma)
    d_leader, d_share, d_any = dense_contest(strength, alive, 5.0, gamma)
    np.testing.assert_array_equal(anyp, d_any)
    np.testing.assert_allclose(share, d_share, rtol=1e-12, atol=1e-15)
    # Where someone is present the leader is the same slot; elsewhere it is unused.
    np.testing.assert_array_equal(leader[d_any], d_leader[d_any])


@pytest.mark.parametrize("name", ["crackdown", "signaling", "kingpin", "laissez_faire"])
def test_surges_are_aimed_by_the_policy_on_the_region(
    fresh: Callable[..., tuple[State, Context]], name: str
) -> None:
    state, ctx = fresh()
    from plazasim.model.conflict import fight

    rng = np.random.default_rng(1)
    obs = observe(state, ctx, fight(state.copy(), ctx, rng), rng)
    region = np.flatnonzero(state.strength.sum(axis=0) > 0)[::3]
    state.surges = {7: (region, 6.0)}
    got = surge_operations(state, obs, make_policy(name), np.random.default_rng(5))
    # The straightforward form: the policy on an observation masked to the region.
    draws = np.random.default_rng(5)
    n = int(np.floor(6.0 + draws.random()))
    mask = np.zeros(ctx.n_plazas, dtype=bool)
    mask[region] = True
    ops = make_policy(name).decide(
        replace(obs, present=obs.present & mask[None, :], capacity=n), draws
    )
    expected = Operations(plaza=[], cartel=[], kind=[], intensity=[])
    for pl, k, kind, inten in zip(
        ops.plaza[:n], ops.cartel[:n], ops.kind[:n], ops.intensity[:n], strict=True
    ):
        if state.signal[pl] != k:
            expected.add(pl, k, kind, inten)
    for mine, ref in zip(got, expected.as_arrays(), strict=True):
        np.testing.assert_array_equal(mine, ref)
    assert np.isin(got[0], region).all()
    if name == "crackdown":
        assert got[0].size == n
    if name == "laissez_faire":
        assert got[0].size == 0


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lam=arrays(np.float64, st.integers(1, 50), elements=st.sampled_from([0.0, 0.0, 0.3, 4.0])))
def test_sparse_poisson_is_zero_where_the_mean_is(lam: np.ndarray) -> None:
    out = sparse_poisson(np.random.default_rng(3), lam)
    assert out.shape == lam.shape and (out[lam == 0] == 0).all() and (out >= 0).all()


def test_sparse_poisson_has_the_poisson_mean() -> None:
    lam = np.zeros(200_000)
    lam[::2] = 2.5
    out = sparse_poisson(np.random.default_rng(11), lam)
    assert abs(out[::2].mean() - 2.5) < 0.02 and abs(out[::2].var() - 2.5) < 0.05


def dense_removals(
    state: State,
    ctx: Context,
    cartel: np.ndarray,
    plaza: np.ndarray,
    kind: np.ndarray,
    effect: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The straightforward form: a (K, P) matrix and a Python loop over takedowns."""
    from plazasim.policies import OP_ARRESTS, OP_TAKEDOWN

    p = ctx.params
    k_slots, n = state.strength.shape
    removed = np.zeros((k_slots, n))
    frac = np.where(kind == OP_ARRESTS, p.arrest_share, 0.0) + np.where(
        kind == OP_TAKEDOWN, p.takedown_share, 0.0
    )
    frac = np.clip(frac * effect, 0.0, 1.0)
    np.add.at(removed, (cartel, plaza), state.strength[cartel, plaza] * frac)
    cash = np.zeros(k_slots)
    take = kind == OP_TAKEDOWN
    for c, pl, e in zip(cartel[take], plaza[take], effect[take], strict=True):
        nbrs = ctx.adj.indices[ctx.adj.indptr[pl] : ctx.adj.indptr[pl + 1]]
        removed[c, nbrs] += state.strength[c, nbrs] * min(p.takedown_neighbour_share * e, 1.0)
    if take.any():
        members = np.maximum(state.strength.sum(axis=1), 1e-12)
        np.add.at(
            cash,
            cartel[take],
            state.strength[cartel[take], plaza[take]]
            / members[cartel[take]]
            * p.seize_cash_share
            * effect[take],
        )
        cash = np.minimum(cash, 1.0) * np.maximum(state.cash, 0.0)
    return np.minimum(removed, state.strength), cash


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_operation_removals_match_the_dense_loop(
    fresh: Callable[..., tuple[State, Context]], data: st.DataObject
) -> None:
    from plazasim.model.enforcement import operation_removals

    state, ctx = fresh(takedown_neighbour_share=0.3)
    n_ops = data.draw(st.integers(0, 40))
    cartel = np.array(
        data.draw(st.lists(st.integers(0, 3), min_size=n_ops, max_size=n_ops)), dtype=np.int64
    )
    plaza = np.array(
        data.draw(st.lists(st.integers(0, ctx.n_plazas - 1), min_size=n_ops, max_size=n_ops)),
        dtype=np.int64,
    )  # repeats welcome
    kind = np.array(
        data.draw(st.lists(st.integers(1, 3), min_size=n_ops, max_size=n_ops)), dtype=np.int64
    )
    effect = np.array(data.draw(st.lists(st.floats(0.1, 3.0), min_size=n_ops, max_size=n_ops)))
    cell_c, cell_p, amount, cash = operation_removals(state, ctx, cartel, plaza, kind, effect)
    removed, ref_cash = dense_removals(state, ctx, cartel, plaza, kind, effect)
    got = np.zeros_like(removed)
    got[cell_c, cell_p] = amount
    np.testing.assert_allclose(got, removed, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(cash, ref_cash, rtol=1e-12)
    assert np.unique(cell_c * ctx.n_plazas + cell_p).size == cell_c.size  # one entry per cell


def test_local_revenue_on_present_cells_matches_the_dense_form(
    fresh: Callable[..., tuple[State, Context]],
) -> None:
    from plazasim.model.revenue import collect_revenue, local_market_usd
    from plazasim.model.supply import supply_and_route

    state, ctx = fresh()
    rng = np.random.default_rng(4)
    state.violent[:] = rng.random(state.violent.shape) < 0.3
    state.strength[1, :10] = 3.0  # below the presence threshold: earns nothing
    supply = supply_and_route(state, ctx)
    got = collect_revenue(state, ctx, supply).local_usd
    p = ctx.params
    s = np.where(
        state.alive[:, None] & (state.strength >= p.presence_threshold), state.strength, 0.0
    )
    share = s / np.maximum(s.sum(axis=0), 1e-12)
    bonus = 1.0 + p.violent_extortion_bonus * state.violent
    dense = (share * bonus * local_market_usd(state, ctx)[None, :]).sum(axis=1)
    np.testing.assert_allclose(got, dense, rtol=1e-12)
