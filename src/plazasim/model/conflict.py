"""Phase 6: fighting in disputed plazas, executions, bystanders and control change.

Forms (docs/MODEL.md, "Conflict"):
* Encounters (after Prieto-Curiel et al. 2023's mass-action conflict term): two
  cartels at war in a plaza (rivals in an open war, or rivals where the plaza's
  truce has broken: ``model.war.active_pairs``) fight with their *fighters*
  (``State.fighters``, the members committed to the war, phase 5b): k loses
  ``lethality x f_k f_j / F x m_k m_j`` members a week to j, where ``F`` is all the
  fighters in the plaza (``f_k + f_j`` when only the two are there) and ``m`` is
  ``violent_lethality_mult`` for a side with a violent posture, times the
  scenario's arms-flow multiplier. Prieto-Curiel's national term ``theta C_i C_j``
  is normalised here by the local forces: plain mass action at plaza scale
  explodes in large plazas, while the normalised form grows linearly with the
  forces engaged, and a plaza shared by many cartels is not counted as many
  two-sided wars. Losses are shared by a Tullock contest: k suffers the share
  ``f_j^g / (f_k^g + f_j^g)`` of the pair's deaths, and the dead are fighters first.
* Friction (Snyder & Durán-Martínez 2009): cartels that share a plaza without
  fighting there (a truce holds, or they are neutral) still clash now and then:
  the same terms on all their members ``s`` (``S`` for ``F``), scaled by
  ``truce_intensity``.
* Executions where rivals meet: Presidencia counts executions as the bulk of
  organised-crime deaths (30,913 of 34,612 in Dec 2006-Dec 2010), concentrated
  where cartels fight. Each side k of a pair executes ``war_execution_rate x
  f_k f_j / F x m_k`` of the other side's people (lookouts, dealers, relatives) a
  week, so executions grow with the forces committed there (friction likewise, on
  members, at ``truce_intensity``). The victims are outside the armed strength;
  they count as cartel-cartel homicides.
* Executions elsewhere: a violent cartel in a plaza it shares with no rival kills
  ``execution_rate`` people per member a week (dealers, debtors, informers).
* Succession fights (Calderón et al. 2015 JCR; Lindo & Padilla-Romo 2018 J.
  Health Econ.): a cartel whose leader fell (cohesion below 1) loses
  ``succession_lethality x (1 - cohesion) x s`` members a week to internal
  fighting in the plaza where the leader fell, and ``succession_spread`` times
  that in its other plazas; the victims count as cartel-cartel homicides.
* Bystanders: ``bystander_ratio`` per fighting death, scaled by the plaza's
  relative population (denser places expose more residents).
* Control (Tullock contest held for some weeks): the cartel holding a share
  ``>= dominance_share`` of ``sum s^g`` (members) for ``hold_weeks`` consecutive
  weeks takes control; an abandoned plaza goes to the strongest cartel present, or
  to nobody.
All deaths are Poisson draws around their expected values, capped at what is there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plazasim.model.cells import hostile_pairs, present_cells
from plazasim.model.context import Context
from plazasim.model.state import NO_CARTEL, State, sparse_poisson
from plazasim.model.war import active_pairs
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


def encounters(
    state: State,
    ctx: Context,
    s: np.ndarray,
    f: np.ndarray,
    r: np.ndarray,
    k: np.ndarray,
    c: np.ndarray,
    pair_i: np.ndarray,
    pair_j: np.ndarray,
    engaged: np.ndarray,
    n_rows: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expected losses, inflicted deaths and executions of each cell in a disputed plaza.

    ``s, f, r, k, c`` are the present cells' members, fighters, rows, slots and
    plazas; ``pair_i, pair_j`` the non-allied pairs (:func:`hostile_pairs`);
    ``engaged`` the cells in disputed plazas. For a pair at war (rivals, no truce)
    the forces are the fighters: ``i`` loses ``lethality x f_i f_j / F x m_i m_j x
    f_j^g / (f_i^g + f_j^g)`` to ``j`` and executes ``war_execution_rate x f_i f_j /
    F x m_i`` of ``j``'s people, with ``F`` all fighters in the plaza (so that a
    plaza shared by many cartels is not counted as many two-sided wars). For a pair
    at peace (a truce, or neutral cartels) the same terms use the members ``s`` and
    ``S`` instead, scaled by ``truce_intensity``: the friction of rivals who share a
    plaza. Everything is scaled by the arms-flow multiplier. Returns the three over
    ``engaged``.

    Every sum adds its terms one after the other in row order (``bincount`` over the
    pairs, which :func:`hostile_pairs` lists by plaza, then by row), as a dense
    ``(A, A, D)`` form summed over a row axis does, so both give the same bits.
    """
    p = ctx.params
    mult = np.ones(s.size)
    mult[engaged] = np.where(state.violent[k[engaged], c[engaged]], p.violent_lethality_mult, 1.0)
    n = state.truce.size
    at_war = active_pairs(state, k[pair_i], k[pair_j], c[pair_i])
    x_i = np.where(at_war, f[pair_i], s[pair_i])
    x_j = np.where(at_war, f[pair_j], s[pair_j])
    plazas = c[pair_i]
    total = np.where(
        at_war,
        np.bincount(c, weights=f, minlength=n)[plazas],
        np.bincount(c, weights=s, minlength=n)[plazas],
    )
    encounter = np.where(total > 0, x_i * x_j / np.maximum(total, 1e-12), 0.0)
    encounter *= np.where(at_war, 1.0, p.truce_intensity) * state.lethality_mult
    pair = p.lethality * encounter * mult[pair_i] * mult[pair_j]
    g_i, g_j = x_i**p.contest_exponent, x_j**p.contest_exponent
    denom = g_i + g_j
    loss = pair * np.where(denom > 0, g_j / np.maximum(denom, 1e-300), 0.0)
    lost = np.bincount(pair_i, weights=loss, minlength=s.size)[engaged]
    inflicted = np.bincount(pair_j, weights=loss, minlength=s.size)[engaged]
    executed = np.bincount(
        pair_i, weights=p.war_execution_rate * encounter * mult[pair_i], minlength=s.size
    )[engaged]
    return lost, inflicted, executed


def fight(state: State, ctx: Context, rng: np.random.Generator) -> ConflictRecord:
    """Resolve fighting and control (mutates strength, control and arrival bookkeeping).

    Works on the present cells of living cartels (a few percent of the map): nobody
    else fights, kills, executes or loses members. Random numbers are drawn in the
    row-major order of those cells, as on the dense ``(A, P)`` arrays.
    """
    p = ctx.params
    k_slots, n = state.strength.shape
    cartels = np.flatnonzero(state.alive)
    r, c = present_cells(state.strength, cartels, p.presence_threshold)
    k = cartels[r]
    s = state.strength[k, c]  # members before the fighting, per present cell
    f = state.fighters[k, c]  # of whom fighters
    hostile = state.relation[np.ix_(cartels, cartels)] != ALLIED  # (A, A)
    pair_i, pair_j = hostile_pairs(r, c, hostile, n)
    disputed = np.zeros(n, dtype=bool)
    disputed[c[pair_i]] = True
    engaged = np.flatnonzero(disputed[c])

    killed = np.zeros(r.size)  # deaths inflicted by the cell's cartel in its plaza
    lost = np.zeros(r.size)  # members the cell lost in fighting
    executions_k = np.zeros(r.size)  # people the cell's cartel executed in its plaza
    s_now = s.copy()
    if engaged.size:
        expected_loss, inflicted, executed = encounters(
            state, ctx, s, f, r, k, c, pair_i, pair_j, engaged, cartels.size
        )
        executions_k[engaged] = sparse_poisson(rng, executed)
        drawn = rng.poisson(expected_loss).astype(float)
        drawn = np.minimum(drawn, np.floor(MAX_WEEKLY_LOSS * s[engaged]))
        lost[engaged] = drawn
        ce = c[engaged]
        expected_here = np.bincount(ce, weights=expected_loss, minlength=n)[ce]
        drawn_here = np.bincount(ce, weights=drawn, minlength=n)[ce]
        scale = np.where(expected_here > 0, drawn_here / np.maximum(expected_here, 1e-12), 0.0)
        killed[engaged] = inflicted * scale
        s_now[engaged] = np.maximum(s[engaged] - drawn, 0.0)
        state.strength[k[engaged], ce] = s_now[engaged]
        # The dead are fighters first; fighters never outnumber members.
        state.fighters[k[engaged], ce] = np.minimum(
            np.maximum(f[engaged] - drawn, 0.0), s_now[engaged]
        )
    hit = killed > 0  # killed in fighting (not counting executions and succession)
    # Member losses are whole numbers, so these sums are exact in any order.
    cartel_deaths = np.bincount(c, weights=lost, minlength=n)
    members_lost = np.zeros(k_slots)
    members_lost[cartels] = np.bincount(r, weights=lost, minlength=cartels.size)

    succession = succession_deaths(state, ctx, cartels, r, c, s_now, rng)
    if succession is not None:
        cells, deaths = succession
        s_now[cells] = np.maximum(s_now[cells] - deaths, 0.0)
        state.strength[k[cells], c[cells]] = s_now[cells]
        state.fighters[k[cells], c[cells]] = np.minimum(
            state.fighters[k[cells], c[cells]], s_now[cells]
        )
        killed[cells] += deaths
        cartel_deaths = cartel_deaths + np.bincount(c[cells], weights=deaths, minlength=n)
        members_lost[cartels] += np.bincount(r[cells], weights=deaths, minlength=cartels.size)

    violent = np.flatnonzero(state.violent[k, c] & ~disputed[c])
    executions_k[violent] = sparse_poisson(rng, p.execution_rate * s[violent])
    killed += executions_k
    executions = np.bincount(c, weights=executions_k, minlength=n)
    bystanders = sparse_poisson(rng, p.bystander_ratio * cartel_deaths * ctx.bystander_factor)
    killed_by = np.zeros((k_slots, n))
    killed_by[k, c] = killed

    present_now = s_now >= p.presence_threshold
    fights = np.zeros((k_slots, n), dtype=bool)
    if engaged.size:
        fought = fights_with_controller(state, k, c, hit, present_now)
        fights[k[fought], c[fought]] = True
    update_control(state, ctx, present=(r[present_now], c[present_now]))
    return ConflictRecord(
        cartel_deaths=cartel_deaths,
        executions=executions,
        bystanders=bystanders.astype(float),
        killed_by=killed_by,
        members_lost=members_lost,
        disputed=disputed,
        fights_with_controller=fights,
    )


def fights_with_controller(
    state: State, k: np.ndarray, c: np.ndarray, hit: np.ndarray, present_now: np.ndarray
) -> np.ndarray:
    """The present cells (indices) whose cartel fought the controller of the plaza.

    k fought the controller of p: k killed there, or the controller killed there
    while k is still present; either way k is not allied to it (the diagonal is
    ALLIED, so k is never its own opponent). ``hit`` marks the cells whose cartel
    killed someone in this week's fighting; control is the one before this week's contest.
    """
    ctrl = state.control[c]
    held = ctrl != NO_CARTEL
    against = held & (state.relation[k, ctrl] != ALLIED)
    ctrl_fought = np.zeros(state.control.size, dtype=bool)
    ctrl_fought[c[hit & held & (k == ctrl)]] = True
    return np.flatnonzero(against & (hit | (ctrl_fought[c] & present_now)))


def succession_deaths(
    state: State,
    ctx: Context,
    cartels: np.ndarray,
    r: np.ndarray,
    c: np.ndarray,
    s: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Members killed in succession fights this week, or None if no leader fell.

    ``r, c`` are the present cells (rows of ``cartels``, plazas) and ``s`` their
    members now. Returns the indices of the cells that can lose anyone (those of
    leaderless cartels) and their deaths. Drawn only when some living cartel has
    lost cohesion, so runs without leader removals draw exactly the same random
    numbers as before this phase existed.
    """
    p = ctx.params
    weak = 1.0 - state.cohesion[cartels]
    if p.succession_lethality <= 0 or not (weak > 0).any():
        return None
    cells = np.flatnonzero(weak[r] > 0)
    rc, here = r[cells], c[cells]
    s = s[cells]
    where = np.where(here == state.leader_plaza[cartels[rc]], 1.0, p.succession_spread)
    drawn = sparse_poisson(rng, p.succession_lethality * weak[rc] * s * where)
    return cells, np.minimum(drawn, np.floor(MAX_WEEKLY_LOSS * s))


def contest_leaders(
    strength: np.ndarray, rows: np.ndarray, threshold: float, gamma: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per plaza: the contest leader, its share of ``sum s^gamma``, and whether anyone is present.

    ``strength`` is ``(K, P)``; only the living ``rows`` count, and only their
    presences (``>= threshold``), so the work is done on the list of present cells
    (a few percent of the map). Ties go to the lowest slot, as ``argmax`` would.
    Returns ``leader`` (slot, or the first living row where nobody is present),
    ``share`` (0 where nobody is) and ``any_present``.
    """
    r, c = present_cells(strength, rows, threshold)
    return contest_on_cells(r, c, strength[rows[r], c], rows, strength.shape[1], gamma)


def contest_on_cells(
    r: np.ndarray, c: np.ndarray, s: np.ndarray, rows: np.ndarray, n: int, gamma: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`contest_leaders` given the present cells ``(r, c)`` (row-major) and their members."""
    weight = s**gamma
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


def update_control(
    state: State, ctx: Context, present: tuple[np.ndarray, np.ndarray] | None = None
) -> None:
    """Apply the contest rule for control and keep arrival/violence bookkeeping current.

    Works on the rows of living cartels only (dead slots hold nothing), and on the
    present cells only (:func:`contest_leaders`). ``present``, when the caller
    already knows them, is those cells as :func:`present_cells` would return them.
    """
    p = ctx.params
    rows = np.flatnonzero(state.alive)
    n = state.strength.shape[1]
    r, c = present_cells(state.strength, rows, p.presence_threshold) if present is None else present
    k = rows[r]
    leader, share, any_present = contest_on_cells(
        r, c, state.strength[k, c], rows, n, p.contest_exponent
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
    # Is the controller still present? (A dead controller's slot is no longer present.)
    ctrl_present = np.zeros(n, dtype=bool)
    ctrl_present[c[k == ctrl[c]]] = True
    abandoned = held & ~ctrl_present
    unheld_taken = ~held & any_present
    new_ctrl = np.where(
        takeover | abandoned | unheld_taken, np.where(any_present, leader, NO_CARTEL), ctrl
    )
    state.challenger_weeks[takeover] = 0
    state.control = new_ctrl.astype(np.int64)
    # Arrival and first-violence bookkeeping (used by the signaling policy), living rows.
    forget_absent(state, rows, p.presence_threshold)
    arrival = state.arrival_week[k, c]
    state.arrival_week[k, c] = np.where(arrival < 0, state.week, arrival)
    first = state.first_violence_week[k, c]
    state.first_violence_week[k, c] = np.where(state.violent[k, c] & (first < 0), state.week, first)


def forget_absent(state: State, rows: np.ndarray, threshold: float) -> None:
    """Reset to -1 the arrival and first-violence weeks of living ``rows`` where they are absent."""
    marked = (state.arrival_week[rows] >= 0) | (state.first_violence_week[rows] >= 0)
    marked_r, marked_c = np.divmod(np.flatnonzero(marked), state.strength.shape[1])
    marked_k = rows[marked_r]
    gone = ~(state.strength[marked_k, marked_c] >= threshold)
    state.arrival_week[marked_k[gone], marked_c[gone]] = -1
    state.first_violence_week[marked_k[gone], marked_c[gone]] = -1
