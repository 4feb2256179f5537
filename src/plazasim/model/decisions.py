"""Phase 5: each cartel decides where to attack and, per plaza, whether to be violent.

Form (after Lessing 2015/2017 on violent lobbying and conditional
repression): quantal-response (logit) choice. Utilities are dimensionless.

Attack plaza p adjacent to cartel k's presence, not held by k or an ally::

    U = attack_bias + log1p(V_p / V_ref) x P(win) - attack_cost x D / (A + D)
        + opportunism x W_p + rival_attack_bonus x [p held by a cartel k is at war with]
        - punishment_weight x max(b_k - d_k, 0) x [p held by someone]
        - punishment_weight x signal_credibility x [p signalled for a non-ally]

with ``A`` = attackers k can send (``attack_share`` of its strength next door),
``D`` = defenders (the controller and its allies in p, each counted at
``1 - cohesion_defence x (1 - cohesion)``: rivals see a leaderless cartel as
weak), ``P(win)`` a Tullock contest ``A^g / (A^g + D^g)``, ``V_p`` the plaza's
weekly value (local market + transit flow x piso), ``W_p`` the share of the
controller's members there the state removed recently (``State.weakened``: a
weakened incumbent invites rivals; Dell 2015, Calderón et al. 2015, Osorio 2015),
``b_k`` and ``d_k`` the cartel's beliefs that violence and discretion are punished. Taking an empty
plaza is not violent, so carries no expected punishment.
``P(attack) = 1 / (1 + exp(-U / temperature))``.

Posture in each plaza where k is present::

    U_violent = violence_bias + violence_gain x (1 + [p at war])
                - punishment_weight x max(b_k - d_k, 0) - signal term

where "at war" means facing a rival there that k is in an open war with
(``State.war``), or any rival once the plaza's truce has broken. Attacking a plaza
held by a neutral cartel makes the two rivals (a cartel decides which wars to
fight).

A conditional policy raises ``b_k`` above ``d_k`` and so teaches discretion; an
unconditional one punishes both alike and does not (Lessing).
Attackers move from k's neighbouring plazas (each sends ``attack_share /
degree`` of its members towards each attacked neighbour), so members are conserved.
"""

from __future__ import annotations

import numpy as np

from plazasim.model.cells import shares_plaza_with_hostile
from plazasim.model.context import Context
from plazasim.model.decision_kernels import attack_candidates, move_and_postures
from plazasim.model.revenue import local_market_usd
from plazasim.model.state import NO_CARTEL, State
from plazasim.model.supply import price_index
from plazasim.world.world import ALLIED, NEUTRAL, RIVAL


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def plaza_value(state: State, ctx: Context, flow_t: np.ndarray) -> np.ndarray:
    """``(P,)`` weekly value of holding each plaza (USD/week).

    The local market, the *piso* on the cocaine passing through, and, at a crossing
    to the US, the *piso* on its share of all the cocaine that crosses, in
    proportion to the crossing's legitimate traffic (``World.crossing_weight``):
    whoever holds a busy crossing can tax the loads that hide in its traffic, even
    while a rival's routes avoid it. Dell (2015) finds the wars fought over such
    trafficking assets, not over local markets.
    """
    toll = ctx.params.piso_usd_per_t * price_index(state, ctx.params)
    crossing = ctx.world.crossing_weight * flow_t[ctx.crossings].sum()
    return local_market_usd(state, ctx) + (flow_t + crossing) * toll


def declare_wars(state: State, attackers: np.ndarray, holders: np.ndarray) -> None:
    """Attacks on plazas held by neutral cartels make the two rivals (mutates ``relation``).

    The rivalry starts cold, as the old ones of the 2006 map are: the attacked
    plaza's truce ends with the attackers' arrival (phase 5b), and the rest of the
    two organisations' plazas keep theirs.

    ``attackers`` and ``holders`` are slots (``holders`` may be ``NO_CARTEL`` for an
    unheld plaza, which declares nothing). Both re-plan their routes: tolls change.
    """
    held = holders != NO_CARTEL
    a, h = attackers[held], holders[held]
    neutral = (state.relation[a, h] == NEUTRAL) & (a != h)
    a, h = a[neutral], h[neutral]
    if a.size:
        state.relation[a, h] = RIVAL
        state.relation[h, a] = RIVAL
        state.routes_dirty.update(a.tolist())
        state.routes_dirty.update(h.tolist())


def decide(
    state: State,
    ctx: Context,
    flow_t: np.ndarray,
    rng: np.random.Generator,
    value: np.ndarray | None = None,
) -> None:
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
    ci, cp, att, dfd = attack_candidates(
        s,
        rel_a,
        ctrl,
        held,
        resolve,
        ctx.adj_norm,
        ctx.adj_norm_t,
        p.attack_share,
        p.presence_threshold,
    )
    if value is None:
        value = plaza_value(state, ctx, flow_t)
    v_ref = max(float(np.mean(value[held])) if held.any() else float(value.mean()), 1e-9)
    net_belief = np.maximum(state.belief[a] - state.belief_discreet[a], 0.0)
    signalled = state.signal != NO_CARTEL
    sig_idx = np.where(signalled, state.signal, 0)
    ctrl_safe = np.where(held[cp], ctrl[cp], 0)
    g = p.contest_exponent
    p_win = 1.0 / (1.0 + (dfd / np.maximum(att, 1e-12)) ** g)
    sig_against = signalled[cp] & (rel_a[ci, sig_idx[cp]] != ALLIED)
    utility = (
        p.attack_bias
        + np.log1p(value[cp] / v_ref) * p_win
        - p.attack_cost * dfd / (att + dfd)
        + p.opportunism * state.weakened[cp]
        + p.rival_attack_bonus * (held[cp] & state.war[a[ci], ctrl_safe])
        - p.punishment_weight * net_belief[ci] * held[cp]
        - p.punishment_weight * p.signal_credibility * sig_against
    )
    go = rng.random(ci.size) < _sigmoid(utility / p.logit_temperature)
    declare_wars(state, a[ci[go]], ctrl[cp[go]])

    # Move attackers: from each neighbour q, attack_share/deg(q) of k's members per target;
    # then postures where each cartel is present.
    rival = state.relation[np.ix_(a, a)] == RIVAL
    n_p = state.strength.shape[1]
    s_new, pi, pp, facing_rival = move_and_postures(
        s,
        ci[go],
        cp[go],
        att[go],
        ctx.adj_norm,
        ctx.adj_norm_t,
        p.attack_share,
        p.presence_threshold,
        rival,
    )
    state.strength[a] = s_new
    # The attackers arrive as fighters; the plazas they left keep fewer members. A plaza
    # attacked and also left (next to another attack) keeps no more fighters than members.
    state.fighters[a] = np.minimum(state.fighters[a], s_new)
    hit_k, hit_p = a[ci[go]], cp[go]
    state.fighters[hit_k, hit_p] = np.minimum(
        state.fighters[hit_k, hit_p] + att[go], s_new[ci[go], cp[go]]
    )
    sig_on = signalled[pp] & (rel_a[pi, sig_idx[pp]] != ALLIED)
    at_war = facing_rival & ~state.truce[pp]
    hot = state.war[np.ix_(a, a)]
    if hot.any():  # rivals in an open war fight where they meet, truce or not
        at_war |= facing_rival & shares_plaza_with_hostile(pi, pp, hot, n_p)
    u_violent = (
        p.violence_bias
        + p.violence_gain * (1.0 + at_war)
        - p.punishment_weight * net_belief[pi]
        - p.punishment_weight * p.signal_credibility * sig_on
    )
    draw = rng.random(pi.size) < _sigmoid(u_violent / p.logit_temperature)
    state.violent[:] = False
    state.violent[a[pi[draw]], pp[draw]] = True
