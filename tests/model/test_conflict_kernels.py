"""The cell-based conflict phase gives the numbers of the straightforward dense form, to the bit.

``dense_fight`` below is the phase written on whole ``(A, P)`` and ``(A, A, D)``
arrays; the model works on the list of present cells, and must draw the same random
numbers and add the same terms in the same order.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from plazasim.model.conflict import (
    MAX_WEEKLY_LOSS,
    ConflictRecord,
    contest_leaders,
    fight,
    update_control,
)
from plazasim.model.context import Context
from plazasim.model.state import NO_CARTEL, State, sparse_poisson
from plazasim.world.world import ALLIED, NEUTRAL, RIVAL


def dense_succession(
    state: State, ctx: Context, cartels: np.ndarray, present: np.ndarray, rng: np.random.Generator
) -> np.ndarray | None:
    p = ctx.params
    weak = 1.0 - state.cohesion[cartels]
    if p.succession_lethality <= 0 or not (weak > 0).any():
        return None
    r, c = np.nonzero(present & (weak > 0)[:, None])
    s = state.strength[cartels[r], c]
    where = np.where(c == state.leader_plaza[cartels[r]], 1.0, p.succession_spread)
    drawn = sparse_poisson(rng, p.succession_lethality * weak[r] * s * where)
    out = np.zeros(present.shape)
    out[r, c] = np.minimum(drawn, np.floor(MAX_WEEKLY_LOSS * s))
    return out


def dense_update_control(state: State, ctx: Context) -> None:
    p = ctx.params
    rows = np.flatnonzero(state.alive)
    n = state.strength.shape[1]
    leader, share, any_present = contest_leaders(
        state.strength, rows, p.presence_threshold, p.contest_exponent
    )
    ctrl = state.control
    dominant = share >= p.dominance_share
    same = leader == state.contest_leader
    state.challenger_weeks = np.where(
        dominant & (leader != ctrl), np.where(same, state.challenger_weeks + 1, 1), 0
    )
    state.contest_leader = np.where(dominant, leader, NO_CARTEL)
    takeover = state.challenger_weeks >= p.hold_weeks
    held = ctrl != NO_CARTEL
    ctrl_present = np.zeros(n, dtype=bool)
    where_held = np.flatnonzero(held)
    if where_held.size:
        c = ctrl[where_held]
        ctrl_present[where_held] = state.alive[c] & (
            state.strength[c, where_held] >= p.presence_threshold
        )
    abandoned = held & ~ctrl_present
    unheld_taken = ~held & any_present
    new_ctrl = np.where(
        takeover | abandoned | unheld_taken, np.where(any_present, leader, NO_CARTEL), ctrl
    )
    state.challenger_weeks[takeover] = 0
    state.control = new_ctrl.astype(np.int64)
    present = state.strength[rows] >= p.presence_threshold
    arrival = state.arrival_week[rows]
    arrival[present & (arrival < 0)] = state.week
    arrival[~present] = -1
    state.arrival_week[rows] = arrival
    first = state.first_violence_week[rows]
    first[present & state.violent[rows] & (first < 0)] = state.week
    first[~present] = -1
    state.first_violence_week[rows] = first


def dense_fight(state: State, ctx: Context, rng: np.random.Generator) -> ConflictRecord:
    p = ctx.params
    k_slots, n = state.strength.shape
    cartels = np.flatnonzero(state.alive)
    s = state.strength[cartels]
    f = state.fighters[cartels]
    present = s >= p.presence_threshold
    hostile = state.relation[np.ix_(cartels, cartels)] != ALLIED
    others = hostile.astype(float) @ present.astype(float)
    disputed = (present & (others > 0)).any(axis=0)
    cols = np.flatnonzero(disputed)
    killed_by = np.zeros((k_slots, n))
    losses = np.zeros((cartels.size, n))
    executions_k = np.zeros((cartels.size, n))
    if cols.size:
        sd = np.where(present[:, cols], s[:, cols], 0.0)
        fd = np.where(present[:, cols], f[:, cols], 0.0)
        mult = np.where(state.violent[cartels][:, cols], p.violent_lethality_mult, 1.0)
        rival = state.relation[np.ix_(cartels, cartels)] == RIVAL
        war = state.war[np.ix_(cartels, cartels)]
        active = rival[:, :, None] & (war[:, :, None] | ~state.truce[cols][None, None, :])
        x_i = np.where(active, fd[:, None, :], sd[:, None, :])
        x_j = np.where(active, fd[None, :, :], sd[None, :, :])
        total = np.where(active, fd.sum(axis=0)[None, None, :], sd.sum(axis=0)[None, None, :])
        encounter = np.where(total > 0, x_i * x_j / np.maximum(total, 1e-12), 0.0)
        encounter *= np.where(active, 1.0, p.truce_intensity) * state.lethality_mult
        encounter *= (
            hostile[:, :, None] & present[:, cols][:, None, :] & present[:, cols][None, :, :]
        )
        pair = p.lethality * encounter * mult[:, None, :] * mult[None, :, :]
        g_i, g_j = x_i**p.contest_exponent, x_j**p.contest_exponent
        denom = g_i + g_j
        loss = pair * np.where(denom > 0, g_j / np.maximum(denom, 1e-300), 0.0)
        expected_loss = loss.sum(axis=1)
        inflicted = loss.sum(axis=0)
        executed = (p.war_execution_rate * encounter * mult[:, None, :]).sum(axis=1)
        executions_k[:, cols] = sparse_poisson(rng, np.where(present[:, cols], executed, 0.0))
        drawn = rng.poisson(expected_loss).astype(float)
        drawn = np.minimum(drawn, np.floor(MAX_WEEKLY_LOSS * sd))
        losses[:, cols] = drawn
        scale = np.where(
            expected_loss.sum(axis=0) > 0,
            drawn.sum(axis=0) / np.maximum(expected_loss.sum(axis=0), 1e-12),
            0.0,
        )
        killed_by[cartels[:, None], cols[None, :]] = inflicted * scale[None, :]
        after = np.maximum(sd - drawn, 0.0)
        fighters = state.fighters[cartels]
        fighters[:, cols] = np.where(
            present[:, cols], np.minimum(np.maximum(fd - drawn, 0.0), after), fighters[:, cols]
        )
        state.fighters[cartels] = fighters
    fight_hit = killed_by > 0
    state.strength[cartels] -= losses
    np.maximum(state.strength, 0.0, out=state.strength)
    cartel_deaths = losses.sum(axis=0)
    members_lost = np.zeros(k_slots)
    members_lost[cartels] = losses.sum(axis=1)
    succession = dense_succession(state, ctx, cartels, present, rng)
    if succession is not None:
        state.strength[cartels] -= succession
        np.maximum(state.strength, 0.0, out=state.strength)
        state.fighters[cartels] = np.where(
            succession > 0,
            np.minimum(state.fighters[cartels], state.strength[cartels]),
            state.fighters[cartels],
        )
        killed_by[cartels] += succession
        cartel_deaths = cartel_deaths + succession.sum(axis=0)
        members_lost[cartels] += succession.sum(axis=1)
    violent = state.violent[cartels] & present & ~disputed[None, :]
    executions_k += sparse_poisson(rng, np.where(violent, p.execution_rate * s, 0.0))
    killed_by[cartels] += executions_k
    executions = executions_k.sum(axis=0)
    bystanders = sparse_poisson(rng, p.bystander_ratio * cartel_deaths * ctx.bystander_factor)
    fights = np.zeros((k_slots, n), dtype=bool)
    held = np.flatnonzero(state.control != NO_CARTEL)
    if cols.size and held.size:
        ctrl = state.control[held]
        against = state.relation[:, ctrl] != ALLIED
        ctrl_fought = fight_hit[ctrl, held]
        present_now = state.alive[:, None] & (state.strength[:, held] >= p.presence_threshold)
        fights[:, held] = against & (fight_hit[:, held] | (ctrl_fought[None, :] & present_now))
    dense_update_control(state, ctx)
    return ConflictRecord(
        cartel_deaths=cartel_deaths,
        executions=executions,
        bystanders=bystanders.astype(float),
        killed_by=killed_by,
        members_lost=members_lost,
        disputed=disputed,
        fights_with_controller=fights,
    )


def scramble(state: State, rng: np.random.Generator, n_alive: int) -> None:
    """A crowded random state: many overlapping presences, mixed relations and postures."""
    k, n = state.strength.shape
    state.alive[:] = False
    state.alive[rng.choice(k, n_alive, replace=False)] = True
    dense = rng.random((k, n)) < 0.5
    state.strength[:] = np.where(dense, np.floor(rng.lognormal(3.5, 1.5, (k, n))), 0.0)
    state.strength[~state.alive] = 0.0
    rel = rng.choice(np.array([RIVAL, NEUTRAL, ALLIED], dtype=np.int8), (k, k))
    state.relation[:] = np.triu(rel) + np.triu(rel, 1).T
    np.fill_diagonal(state.relation, ALLIED)
    state.violent[:] = rng.random((k, n)) < 0.4
    state.fighters[:] = np.floor(state.strength * rng.random((k, n)))
    war = rng.random((k, k)) < 0.5
    state.war[:] = np.triu(war) | np.triu(war, 1).T
    state.truce[:] = rng.random(n) < 0.5
    state.cohesion[:] = np.where(rng.random(k) < 0.3, rng.random(k), 1.0)
    state.leader_plaza[:] = rng.integers(-1, n, k)
    state.control[:] = rng.integers(-1, k, n)
    state.contest_leader[:] = rng.integers(-1, k, n)
    state.challenger_weeks[:] = rng.integers(0, 5, n)
    state.arrival_week[:] = rng.integers(-1, 3, (k, n))
    state.first_violence_week[:] = rng.integers(-1, 3, (k, n))
    state.week = 5


def assert_same(got: ConflictRecord, want: ConflictRecord, state: State, ref: State) -> None:
    for name in ConflictRecord.__dataclass_fields__:
        np.testing.assert_array_equal(getattr(got, name), getattr(want, name), err_msg=name)
    for name, value in state.__dict__.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, getattr(ref, name), err_msg=name)


@pytest.mark.parametrize("seed", range(12))
def test_fight_on_present_cells_matches_the_dense_form(
    fresh: Callable[..., tuple[State, Context]], seed: int
) -> None:
    # Up to 16 living rows: sums over more than 8 rows are where NumPy's pairwise
    # summation differs from adding in row order.
    state, ctx = fresh(
        max_cartels=16, lethality=0.05, succession_lethality=0.02, truce_intensity=0.3
    )
    rng = np.random.default_rng(seed)
    scramble(state, rng, n_alive=int(rng.integers(1, 17)))
    ref = state.copy()
    rng_got, rng_want = np.random.default_rng(100 + seed), np.random.default_rng(100 + seed)
    got = fight(state, ctx, rng_got)
    want = dense_fight(ref, ctx, rng_want)
    assert_same(got, want, state, ref)
    assert got.cartel_deaths.sum() > 0 or state.alive.sum() < 2
    # Both drew the same numbers, so the streams are in the same place.
    assert rng_got.bit_generator.state == rng_want.bit_generator.state


@pytest.mark.parametrize("seed", range(6))
def test_update_control_on_present_cells_matches_the_dense_form(
    fresh: Callable[..., tuple[State, Context]], seed: int
) -> None:
    state, ctx = fresh(max_cartels=16)
    scramble(state, np.random.default_rng(seed), n_alive=10)
    ref = state.copy()
    update_control(state, ctx)
    dense_update_control(ref, ctx)
    for name, value in state.__dict__.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, getattr(ref, name), err_msg=name)
