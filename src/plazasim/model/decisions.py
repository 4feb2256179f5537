"""Phase 5: each cartel decides where to attack and, per plaza, whether to be violent.

Form (DESIGN.md §6, after Lessing 2015/2017 on violent lobbying and conditional
repression): quantal-response (logit) choice. Utilities are dimensionless.

Attack plaza p adjacent to cartel k's presence, not held by k or an ally::

    U = attack_bias + log1p(V_p / V_ref) x P(win) - attack_cost x D / (A + D)
        - punishment_weight x max(b_k - d_k, 0) x [p held by someone]
        - punishment_weight x signal_credibility x [p signalled for a non-ally]

with ``A`` = attackers k can send (``attack_share`` of its strength next door),
``D`` = defenders (the controller and its allies in p, each counted at
``1 - cohesion_defence x (1 - cohesion)``: rivals see a leaderless cartel as
weak), ``P(win)`` a Tullock contest ``A^g / (A^g + D^g)``, ``V_p`` the plaza's
weekly value (local market + transit flow x piso), ``b_k`` and ``d_k`` the
cartel's beliefs that violence and discretion are punished. Taking an empty
plaza is not violent, so carries no expected punishment.
``P(attack) = 1 / (1 + exp(-U / temperature))``.

Posture in each plaza where k is present::

    U_violent = violence_bias + violence_gain x (1 + [p disputed])
                - punishment_weight x max(b_k - d_k, 0) - signal term

A conditional policy raises ``b_k`` above ``d_k`` and so teaches discretion; an
unconditional one punishes both alike and does not (Lessing).
Attackers move from k's neighbouring plazas (each sends ``attack_share /
degree`` of its members towards each attacked neighbour), so members are conserved.
"""

from __future__ import annotations

import numpy as np

from plazasim.model.context import Context
from plazasim.model.decision_kernels import attack_candidates, move_and_postures
from plazasim.model.revenue import local_market_usd
from plazasim.model.state import NO_CARTEL, State
from plazasim.model.supply import price_index
from plazasim.world.world import ALLIED


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def plaza_value(state: State, ctx: Context, flow_t: np.ndarray) -> np.ndarray:
    """``(P,)`` weekly value of holding each plaza (USD/week)."""
    toll = ctx.params.piso_usd_per_t * price_index(state, ctx.params)
    return local_market_usd(state, ctx) + flow_t * toll


def decide(state: State, ctx: Context, flow_t: np.ndarray,
           rng: np.random.Generator) -> None:
    """Draw attacks and postures (mutates strength, ``violent``).

    Works on the rows of alive cartels only, and evaluates attack utilities only
    on frontier (cartel, plaza) pairs, so the cost grows with the frontier, not K x P.
    """
    p = ctx.params
    a = np.flatnonzero(state.alive)
    s = state.strength[a]
    ctrl = state.control
    held = ctrl != NO_CARTEL
    rel_a = state.relation[a]  # (A, K)
    # Controller and its allies present; a leaderless cartel defends less well (Calderón
    # et al. 2015): its members count for 1 - cohesion_defence x (1 - cohesion).
    resolve = 1.0 - p.cohesion_defence * (1.0 - state.cohesion[a])
    ci, cp, att, dfd = attack_candidates(s, rel_a, ctrl, held, resolve, ctx.adj_norm,
                                         ctx.adj_norm_t, p.attack_share,
                                         p.presence_threshold)
    value = plaza_value(state, ctx, flow_t)
    v_ref = max(float(np.mean(value[held])) if held.any() else float(value.mean()), 1e-9)
    net_belief = np.maximum(state.belief[a] - state.belief_discreet[a], 0.0)
    signalled = state.signal != NO_CARTEL
    sig_idx = np.where(signalled, state.signal, 0)
    g = p.contest_exponent
    p_win = 1.0 / (1.0 + (dfd / np.maximum(att, 1e-12)) ** g)
    sig_against = signalled[cp] & (rel_a[ci, sig_idx[cp]] != ALLIED)
    utility = (
        p.attack_bias
        + np.log1p(value[cp] / v_ref) * p_win
        - p.attack_cost * dfd / (att + dfd)
        - p.punishment_weight * net_belief[ci] * held[cp]
        - p.punishment_weight * p.signal_credibility * sig_against
    )
    go = rng.random(ci.size) < _sigmoid(utility / p.logit_temperature)

    # Move attackers: from each neighbour q, attack_share/deg(q) of k's members per target;
    # then postures where each cartel is present.
    hostile = state.relation[np.ix_(a, a)] != ALLIED
    s_new, pi, pp, disputed = move_and_postures(
        s, ci[go], cp[go], att[go], ctx.adj_norm, ctx.adj_norm_t, p.attack_share,
        p.presence_threshold, hostile)
    state.strength[a] = s_new
    sig_on = signalled[pp] & (rel_a[pi, sig_idx[pp]] != ALLIED)
    u_violent = (
        p.violence_bias
        + p.violence_gain * (1.0 + disputed)
        - p.punishment_weight * net_belief[pi]
        - p.punishment_weight * p.signal_credibility * sig_on
    )
    draw = rng.random(pi.size) < _sigmoid(u_violent / p.logit_temperature)
    state.violent[:] = False
    state.violent[a[pi[draw]], pp[draw]] = True
