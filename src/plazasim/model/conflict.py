"""Phase 6: fighting in disputed plazas, executions, bystanders and control change.

Forms (DESIGN.md §6):
* Encounters (after Prieto-Curiel et al. 2023's mass-action conflict term):
  non-allied cartels k, j present in the same plaza kill
  ``lethality x s_k s_j / (s_k + s_j) x m_k m_j`` members a week, where ``m`` is
  ``violent_lethality_mult`` for a side with a violent posture, times the
  scenario's arms-flow multiplier. Prieto-Curiel's national term ``theta C_i C_j``
  is normalised here by the local numbers: plain mass action at plaza scale
  explodes in large plazas (a few thousand a side would kill thousands a week,
  against ~50-70/week in Ciudad Juárez at the 2010 peak), while the normalised
  form grows linearly with the forces engaged. Losses are shared by a Tullock contest: k
  suffers the share ``s_j^g / (s_k^g + s_j^g)`` of the pair's deaths.
* Executions: a violent cartel kills ``execution_rate`` people per member a week
  in plazas where it is present (Presidencia counts executions as the bulk of
  organised-crime deaths: 30,913 of 34,612 in Dec 2006-Dec 2010). The victims
  are outside the armed strength; they count as cartel-cartel homicides.
* Succession fights (Calderón et al. 2015 JCR; Lindo & Padilla-Romo 2018 J.
  Health Econ.): a cartel whose leader fell (cohesion below 1) loses
  ``succession_lethality x (1 - cohesion) x s`` members a week to internal
  fighting in the plaza where the leader fell, and ``succession_spread`` times
  that in its other plazas; the victims count as cartel-cartel homicides.
* Bystanders: ``bystander_ratio`` per fighting death, scaled by the plaza's
  relative population (denser places expose more residents).
* Control (Tullock contest held for some weeks): the cartel holding a share
  ``>= dominance_share`` of ``sum s^g`` for ``hold_weeks`` consecutive weeks takes
  control; an abandoned plaza goes to the strongest cartel present, or to nobody.
All deaths are Poisson draws around their expected values, capped at what is there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plazasim.model.context import Context
from plazasim.model.state import NO_CARTEL, State, sparse_poisson
from plazasim.world.world import ALLIED

MAX_WEEKLY_LOSS = 0.5  # no side loses more than half its local members in one week


@dataclass(frozen=True)
class ConflictRecord:
    """Deaths this week by plaza (persons) and who fought whom."""

    cartel_deaths: np.ndarray  # (P,) members killed in cartel-cartel fighting
    executions: np.ndarray  # (P,) people executed by cartels
    bystanders: np.ndarray  # (P,)
    killed_by: np.ndarray  # (K, P) deaths inflicted by cartel k in p (fights + executions)
    members_lost: np.ndarray  # (K,) members killed in fighting
    disputed: np.ndarray  # (P,) bool
    fights_with_controller: np.ndarray  # (K, P) bool


def fight(state: State, ctx: Context, rng: np.random.Generator) -> ConflictRecord:
    """Resolve fighting and control (mutates strength, control and arrival bookkeeping)."""
    p = ctx.params
    k_slots, n = state.strength.shape
    cartels = np.flatnonzero(state.alive)
    s = state.strength[cartels]  # (A, P)
    present = s >= p.presence_threshold
    hostile = state.relation[np.ix_(cartels, cartels)] != ALLIED  # (A, A)
    others = hostile.astype(float) @ present.astype(float)
    disputed_kp = present & (others > 0)
    disputed = disputed_kp.any(axis=0)
    cols = np.flatnonzero(disputed)

    killed_by = np.zeros((k_slots, n))
    losses = np.zeros((cartels.size, n))
    if cols.size:
        sd = np.where(present[:, cols], s[:, cols], 0.0)  # (A, D)
        mult = np.where(state.violent[cartels][:, cols], p.violent_lethality_mult, 1.0)
        g = p.contest_exponent
        sg = sd**g
        # pair_deaths[a, b, d] = lethality * s_a * s_b * m_a * m_b for hostile pairs.
        encounter = sd[:, None, :] * sd[None, :, :] / np.maximum(
            sd[:, None, :] + sd[None, :, :], 1e-12)
        pair = (p.lethality * state.lethality_mult) * encounter * mult[:, None, :] * \
            mult[None, :, :] * hostile[:, :, None]
        denom = sg[:, None, :] + sg[None, :, :]
        loss_share = np.where(denom > 0, sg[None, :, :] / np.maximum(denom, 1e-300), 0.0)
        expected_loss = (pair * loss_share).sum(axis=1)  # a's losses, (A, D)
        inflicted = (pair * loss_share).sum(axis=0)  # a's kills: b's losses caused by a
        drawn = rng.poisson(expected_loss).astype(float)
        drawn = np.minimum(drawn, np.floor(MAX_WEEKLY_LOSS * sd))
        losses[:, cols] = drawn
        scale = np.where(expected_loss.sum(axis=0) > 0,
                         drawn.sum(axis=0) / np.maximum(expected_loss.sum(axis=0), 1e-12), 0.0)
        killed_by[cartels[:, None], cols[None, :]] = inflicted * scale[None, :]
    fight_hit = killed_by > 0
    state.strength[cartels] -= losses
    np.maximum(state.strength, 0.0, out=state.strength)
    cartel_deaths = losses.sum(axis=0)
    members_lost = np.zeros(k_slots)
    members_lost[cartels] = losses.sum(axis=1)

    succession = succession_deaths(state, ctx, cartels, present, rng)
    if succession is not None:
        state.strength[cartels] -= succession
        np.maximum(state.strength, 0.0, out=state.strength)
        killed_by[cartels] += succession
        cartel_deaths = cartel_deaths + succession.sum(axis=0)
        members_lost[cartels] += succession.sum(axis=1)

    violent = state.violent[cartels] & present
    exec_expected = np.where(violent, p.execution_rate * s, 0.0)
    executions_k = sparse_poisson(rng, exec_expected)
    killed_by[cartels] += executions_k
    executions = executions_k.sum(axis=0)
    bystanders = sparse_poisson(rng, p.bystander_ratio * cartel_deaths * ctx.bystander_factor)

    # k fought the controller of p: k killed there, or the controller killed there while
    # k was present; either way k is not allied to it (the diagonal is ALLIED, so k is
    # never its own opponent).
    fights = np.zeros((k_slots, n), dtype=bool)
    held = np.flatnonzero(state.control != NO_CARTEL)
    if cols.size and held.size:
        ctrl = state.control[held]
        against = state.relation[:, ctrl] != ALLIED  # (K, H)
        ctrl_fought = fight_hit[ctrl, held]
        present_now = state.alive[:, None] & (state.strength[:, held] >= p.presence_threshold)
        fights[:, held] = against & (fight_hit[:, held] | (ctrl_fought[None, :] & present_now))
    update_control(state, ctx)
    return ConflictRecord(
        cartel_deaths=cartel_deaths,
        executions=executions,
        bystanders=bystanders.astype(float),
        killed_by=killed_by,
        members_lost=members_lost,
        disputed=disputed,
        fights_with_controller=fights,
    )


def succession_deaths(state: State, ctx: Context, cartels: np.ndarray, present: np.ndarray,
                      rng: np.random.Generator) -> np.ndarray | None:
    """``(A, P)`` members killed in succession fights this week, or None if no leader fell.

    Drawn only when some living cartel has lost cohesion, so runs without leader
    removals draw exactly the same random numbers as before this phase existed.
    """
    p = ctx.params
    weak = 1.0 - state.cohesion[cartels]
    if p.succession_lethality <= 0 or not (weak > 0).any():
        return None
    # Only the present cells of leaderless cartels can lose anyone.
    r, c = np.nonzero(present & (weak > 0)[:, None])
    s = state.strength[cartels[r], c]
    where = np.where(c == state.leader_plaza[cartels[r]], 1.0, p.succession_spread)
    drawn = sparse_poisson(rng, p.succession_lethality * weak[r] * s * where)
    out = np.zeros(present.shape)
    out[r, c] = np.minimum(drawn, np.floor(MAX_WEEKLY_LOSS * s))
    return out


def contest_leaders(strength: np.ndarray, rows: np.ndarray, threshold: float,
                    gamma: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per plaza: the contest leader, its share of ``sum s^gamma``, and whether anyone is present.

    ``strength`` is ``(K, P)``; only the living ``rows`` count, and only their
    presences (``>= threshold``), so the work is done on the list of present cells
    (a few percent of the map). Ties go to the lowest slot, as ``argmax`` would.
    Returns ``leader`` (slot, or the first living row where nobody is present),
    ``share`` (0 where nobody is) and ``any_present``.
    """
    n = strength.shape[1]
    sub = strength[rows]
    r, c = np.nonzero(sub >= threshold)
    weight = sub[r, c] ** gamma
    total = np.bincount(c, weights=weight, minlength=n)
    top = np.zeros(n)
    np.maximum.at(top, c, weight)
    first = np.full(n, rows.size, dtype=np.int64)
    best = weight >= top[c]
    np.minimum.at(first, c[best], r[best])
    any_present = first < rows.size
    if rows.size == 0:
        return np.zeros(n, dtype=np.int64), np.zeros(n), any_present
    leader = rows[np.where(any_present, first, 0)]
    share = np.where(total > 0, top / np.maximum(total, 1e-300), 0.0)
    return leader.astype(np.int64), share, any_present


def update_control(state: State, ctx: Context) -> None:
    """Apply the contest rule for control and keep arrival/violence bookkeeping current.

    Works on the rows of living cartels only (dead slots hold nothing), and on the
    present cells only (:func:`contest_leaders`).
    """
    p = ctx.params
    rows = np.flatnonzero(state.alive)
    n = state.strength.shape[1]
    leader, share, any_present = contest_leaders(state.strength, rows, p.presence_threshold,
                                                 p.contest_exponent)
    ctrl = state.control
    dominant = share >= p.dominance_share
    same = leader == state.contest_leader
    state.challenger_weeks = np.where(dominant & (leader != ctrl),
                                      np.where(same, state.challenger_weeks + 1, 1), 0)
    state.contest_leader = np.where(dominant, leader, NO_CARTEL)
    takeover = state.challenger_weeks >= p.hold_weeks
    held = ctrl != NO_CARTEL
    # Is the controller still present? (A dead controller's slot is no longer present.)
    ctrl_present = np.zeros(n, dtype=bool)
    where_held = np.flatnonzero(held)
    if where_held.size:
        c = ctrl[where_held]
        ctrl_present[where_held] = state.alive[c] & (
            state.strength[c, where_held] >= p.presence_threshold)
    abandoned = held & ~ctrl_present
    unheld_taken = ~held & any_present
    new_ctrl = np.where(takeover | abandoned | unheld_taken,
                        np.where(any_present, leader, NO_CARTEL), ctrl)
    state.challenger_weeks[takeover] = 0
    state.control = new_ctrl.astype(np.int64)
    # Arrival and first-violence bookkeeping (used by the signaling policy), living rows.
    present = state.strength[rows] >= p.presence_threshold
    arrival = state.arrival_week[rows]
    arrival[present & (arrival < 0)] = state.week
    arrival[~present] = -1
    state.arrival_week[rows] = arrival
    first = state.first_violence_week[rows]
    first[present & state.violent[rows] & (first < 0)] = state.week
    first[~present] = -1
    state.first_violence_week[rows] = first
