"""Phase 5b: cartels commit fighters to their wars, and give up the wars they have lost.

A war is fought plaza by plaza but decided by the organisation, which chooses where
to send gunmen and pays for them. Sinaloa sent gunmen from its heartland to Ciudad
Juárez in 2008 and the Juárez organisation answered by hiring local gangs (InSight
Crime 2013; dto_events.csv); such wars last as long as each side can replace its
losses, and they escalate while each side answers the other (Ríos 2013, *Trends in
Organized Crime*: Mexico's violence became a self-reinforcing equilibrium of
competition and enforcement).

The members a cartel has in a plaza are mostly dealers, lookouts and garrison; its
**fighters** there (``State.fighters``) are the members committed to a war, and
only they fight (phase 6). Each week, for each living cartel k:

* its **fronts** are the cells where it meets a rival it is fighting
  (:func:`active_pairs`: a rival in an open war, or any rival once the plaza's
  truce has broken), and the plazas its standing orders (``incursion`` events)
  name. Elsewhere its fighters stand down;
* a front's **target** is ``min(commit_ratio x E, cap)`` fighters: enough to
  outnumber the strongest rival's fighters there (its members, for a plaza the
  cartel has orders to take; ``E`` is weighted by that rival's resolve: a
  leaderless cartel defends less well) by ``commit_ratio``, but no more than
  ``cap``. The cap is what the prize is worth: in a Tullock contest among ``n``
  equal contenders each spends ``(n - 1) / n^2`` of the prize (Tullock 1980), so
  ``cap = (n - 1) / n^2 x war_spending_share x V / w``, with ``V`` the plaza's
  weekly value, ``w`` a member's weekly wage and ``n`` (at least 2) the cartels
  fighting there. A plaza shared by many cartels is not worth more men in total;
* what it lacks is filled, in order, (1) by arming its own members there,
  ``mobilisation_rate`` of those not yet fighting a week; (2) by sending members
  from its reserve, ``mobilisation_rate`` of it a week at most, at
  ``deploy_cost_usd`` each, shared among fronts by what they lack x ``log(1 +
  V / V_ref)`` (a plaza worth more gets more men; ``V_ref`` is the mean value of
  held plazas) and drawn from the quiet plazas in proportion to their reserve; the
  reserve is, in each quiet plaza (no rival there), the members above the garrison,
  ``(1 - garrison_share) x s``; (3) by hiring locally ``war_recruitment`` of what is
  still lacking a week, bounded by the plaza's room for recruits
  (``youth_pool_share`` of its residents aged 15-29, less the members already
  there) and by the cash to pay ``recruit_cost_usd`` each (the Juárez organisation
  hired the Barrio Azteca gang, Sinaloa the Artistas Asesinos and Mexicles). Hired
  members are recruits of the members ledger;
* it **gives up** a front it does not control when even this front's share of its
  reserve (the reserve shared among its fronts by ``log(1 + V / V_ref)``) would
  leave it below ``retreat_share`` of the Tullock contest for control
  (``s^g / (s^g + E^g)``, on members): its members there fall back to its quiet
  plazas, in proportion to their members, and any standing order for the plaza
  lapses. A cartel with many fronts thus fights where it can win and what is worth
  it, and lets the rest go.

Members are conserved: what a front gains, the quiet plazas lose, plus the
recruits. Since fighters accumulate at these rates, a war that breaks out starts
small and escalates as both sides answer each other, up to what the plaza is
worth; it ends when one side runs out of reserve, money or will (the control
contest of phase 6 hands the plaza over). This phase also breaks truces
(:func:`break_truces`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plazasim.model.cells import hostile_pairs, present_cells
from plazasim.model.context import Context
from plazasim.model.state import NO_CARTEL, State
from plazasim.world.world import RIVAL


@dataclass(frozen=True)
class WarRecord:
    """Forces committed this week, by cartel slot (members, USD)."""

    armed: np.ndarray  # (K,) own members at a front who took up arms
    deployed: np.ndarray  # (K,) members sent from quiet plazas to fronts
    hired: np.ndarray  # (K,) members recruited at the fronts
    hiring_usd: np.ndarray  # (K,) paid for them
    withdrawn: np.ndarray  # (K,) members pulled back from fronts given up
    engaged: np.ndarray  # (K,) fighters at the fronts after the moves
    deploy_usd: np.ndarray  # (K,) paid for the members sent
    fronts: int  # front cells this week (present or ordered)


def break_truces(
    state: State,
    ctx: Context,
    r: np.ndarray,
    c: np.ndarray,
    k: np.ndarray,
    facing_rival: np.ndarray,
) -> None:
    """End the truce in plazas where something disturbed the balance (mutates ``truce``).

    Snyder & Durán-Martínez (2009) describe the pre-war peace as a protection racket
    the state sponsored; it ends when the state stops protecting and weakens the
    incumbent (operations removed at least ``truce_fragility`` of the controller's
    members there, recently: ``State.weakened``; Dell 2015), when a leader falls
    there (Calderón et al. 2015: succession and predation), or when a rival newcomer
    arrives (a cell present now that was not at the last count: ``arrival_week < 0``).
    Events do not touch truces: a rivalry, a split or an incursion opens a war
    (``State.war``), and rivals in an open war fight where they meet, truce or not.
    ``r, c, k`` are the present cells (rows, plazas, slots) and ``facing_rival``
    marks those sharing their plaza with a rival.
    """
    if not state.truce.any():
        return
    breach = np.zeros(state.truce.size, dtype=bool)
    newcomer = facing_rival & (state.arrival_week[k, c] < 0)
    breach[c[newcomer]] = True
    breach |= state.weakened >= ctx.params.truce_fragility
    fallen = state.leader_plaza[state.alive & (state.cohesion < 1.0)]
    breach[fallen[fallen >= 0]] = True
    state.truce &= ~breach


def active_pairs(state: State, ki: np.ndarray, kj: np.ndarray, plaza: np.ndarray) -> np.ndarray:
    """Bool per pair of cartels ``(ki, kj)`` met in ``plaza``: whether they fight there.

    Rivals fight where they meet if they are in an open war (``State.war``), and
    elsewhere only where the plaza's truce has broken.
    """
    rival = state.relation[ki, kj] == RIVAL
    return rival & (state.war[ki, kj] | ~state.truce[plaza])


def _ordered_absent(
    state: State, ctx: Context, rows: np.ndarray, resolve: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standing orders for plazas the cartel is not present in: slots, plazas, rival strength.

    Orders of dead cartels and orders already carried out (the cartel controls the
    plaza) are cleared first.
    """
    threshold = ctx.params.presence_threshold
    ok, op = np.divmod(np.flatnonzero(state.orders), state.orders.shape[1])
    done = ~state.alive[ok] | (state.control[op] == ok)
    state.orders[ok[done], op[done]] = False
    ok, op = ok[~done], op[~done]
    absent = ~(state.strength[ok, op] >= threshold)
    ok, op = ok[absent], op[absent]
    if ok.size == 0:
        return ok, op, np.zeros(0)
    rival = state.relation[ok][:, rows] == RIVAL  # (O, A) rivals of the ordered cartel
    there = state.strength[np.ix_(rows, op)].T  # (O, A) members in the plaza
    there = np.where(there >= threshold, there, 0.0)
    return ok, op, (there * resolve[None, :] * rival).max(axis=1)


def commit_forces(state: State, ctx: Context, value: np.ndarray) -> WarRecord:
    """Arm, reinforce and hire at the fronts; abandon lost fronts (mutates state).

    ``value`` is ``(P,)`` the weekly value of each plaza (USD/week, phase 5's
    ``plaza_value``). Works on the present cells of living cartels plus the cells
    named by standing orders (a few), so it costs what the presences cost.
    """
    p = ctx.params
    k_slots, n = state.strength.shape
    rows = np.flatnonzero(state.alive)
    r, c = present_cells(state.strength, rows, p.presence_threshold)
    k = rows[r]
    s = state.strength[k, c]
    rival = state.relation[np.ix_(rows, rows)] == RIVAL
    pair_i, pair_j = hostile_pairs(r, c, rival, n)
    resolve = 1.0 - p.cohesion_defence * (1.0 - state.cohesion[rows])
    f = state.fighters[k, c]
    # The threat a cell faces: its strongest rival's fighters (members, where it holds
    # an order to take the plaza), weighted by that rival's resolve.
    threat = np.where(state.orders[k[pair_i], c[pair_i]], s[pair_j], f[pair_j])
    enemy = np.zeros(r.size)
    np.maximum.at(enemy, pair_i, threat * resolve[r[pair_j]])
    rival_members = np.zeros(r.size)  # what the control contest weighs
    np.maximum.at(rival_members, pair_i, s[pair_j] * resolve[r[pair_j]])
    facing_rival = np.zeros(r.size, dtype=bool)
    facing_rival[pair_i] = True
    break_truces(state, ctx, r, c, k, facing_rival)
    quiet = ~facing_rival
    active = active_pairs(state, k[pair_i], k[pair_j], c[pair_i])
    front = np.zeros(r.size, dtype=bool)
    front[pair_i[active]] = True
    front |= facing_rival & state.orders[k, c]
    contenders = np.bincount(c[front], minlength=n)  # cartels fighting in each plaza
    order_k, order_p, order_enemy = _ordered_absent(state, ctx, rows, resolve)

    # Fighters stand down wherever the cell is not a front: present cells that are not,
    # and the few members left below presence where no order keeps them.
    idle = np.flatnonzero(~front)
    state.fighters[k[idle], c[idle]] = 0.0
    fk_left, fp_left = np.divmod(np.flatnonzero(state.fighters), n)
    stray = ~(state.strength[fk_left, fp_left] >= p.presence_threshold)
    stray &= ~state.orders[fk_left, fp_left]
    state.fighters[fk_left[stray], fp_left[stray]] = 0.0

    # Fronts: present ones first, then ordered absent cells.
    n_present = int(front.sum())
    fk = np.concatenate([k[front], order_k])
    fp = np.concatenate([c[front], order_p])
    fs = np.concatenate([s[front], state.strength[order_k, order_p]])
    fe = np.concatenate([enemy[front], order_enemy])
    fm = np.concatenate([rival_members[front], order_enemy])
    fighting = state.fighters[fk, fp]
    floor = np.where(np.arange(fk.size) >= n_present, 2.0 * p.presence_threshold, 0.0)
    n_fight = np.maximum(contenders[fp], 2).astype(np.float64)
    prize = p.war_spending_share * value[fp] / (p.wage_usd_per_member_year / 52.0)
    cap = np.maximum(prize * (n_fight - 1.0) / n_fight**2, floor)
    # For its stronghold, and for a plaza it has orders to take, a cartel spends up to
    # the whole prize rather than a contender's share of it.
    stronghold = np.full(k_slots, -1, dtype=np.int64)
    stronghold[rows] = np.argmax(state.strength[rows], axis=1)
    cap = np.where((stronghold[fk] == fp) | state.orders[fk, fp], np.maximum(prize, floor), cap)
    # (1) Own members at the front take up arms, up to the cap.
    armed = np.minimum(
        p.mobilisation_rate * np.maximum(fs - fighting, 0.0), np.maximum(cap - fighting, 0.0)
    )
    target = np.minimum(np.maximum(p.commit_ratio * fe, floor), cap)
    lacking = np.maximum(target - fighting - armed, 0.0)

    reserve_cell = np.where(quiet, (1.0 - p.garrison_share) * s, 0.0)
    reserve = np.bincount(k, weights=reserve_cell, minlength=k_slots)
    held = state.control != NO_CARTEL
    v_ref = max(float(value[held].mean()) if held.any() else float(value.mean()), 1e-9)
    worth = np.log1p(value[fp] / v_ref)
    # Give up fronts held by someone else that even this front's share of the reserve
    # (shared among the cartel's fronts by what they are worth) could not win.
    total_worth = np.bincount(fk, weights=worth, minlength=k_slots)
    share = worth / np.maximum(total_worth[fk], 1e-300)
    gamma = p.contest_exponent
    best = (fs + reserve[fk] * share) ** gamma
    hopeless = (state.control[fp] != fk) & (fm > 0) & (best < p.retreat_share * (best + fm**gamma))
    lacking = np.where(hopeless, 0.0, lacking)
    armed = np.where(hopeless, 0.0, armed)
    # (2) Reinforcements from the reserve, paid for.
    weight = lacking * worth
    total_lacking = np.bincount(fk, weights=lacking, minlength=k_slots)
    total_weight = np.bincount(fk, weights=weight, minlength=k_slots)
    cash = np.maximum(state.cash, 0.0)
    affordable = cash / p.deploy_cost_usd if p.deploy_cost_usd > 0 else np.full(k_slots, np.inf)
    budget = np.minimum(np.minimum(p.mobilisation_rate * reserve, affordable), total_lacking)
    budget = np.where(total_weight > 0, budget, 0.0)
    alloc = np.minimum(budget[fk] * weight / np.maximum(total_weight[fk], 1e-300), lacking)
    sent = np.bincount(fk, weights=alloc, minlength=k_slots)
    lacking -= alloc

    # Withdrawals from fronts given up (present ones, and ordered ones where the first
    # members sent are not yet a presence) go back to the quiet plazas.
    give_up = np.flatnonzero(hopeless)
    has_quiet = np.bincount(k[quiet], minlength=k_slots) > 0
    leaving = give_up[has_quiet[fk[give_up]]]
    withdrawn = np.bincount(fk[leaving], weights=fs[leaving], minlength=k_slots)
    state.orders[fk[hopeless], fp[hopeless]] = False

    # Quiet cells lose their share of what was sent and take back what came home.
    quiet_cells = np.flatnonzero(quiet)
    qk = k[quiet_cells]
    members_q = s[quiet_cells]
    members_k = np.bincount(qk, weights=members_q, minlength=k_slots)
    out = sent[qk] * reserve_cell[quiet_cells] / np.maximum(reserve[qk], 1e-300)
    back = withdrawn[qk] * members_q / np.maximum(members_k[qk], 1e-300)
    state.strength[qk, c[quiet_cells]] = np.maximum(members_q - out + back, 0.0)
    state.strength[fk[leaving], fp[leaving]] = 0.0
    state.fighters[fk[leaving], fp[leaving]] = 0.0
    np.add.at(state.strength, (fk, fp), alloc)
    np.add.at(state.fighters, (fk, fp), armed + alloc)
    deploy_usd = sent * p.deploy_cost_usd
    state.cash -= deploy_usd
    hired, hiring_usd = hire_at_fronts(state, ctx, fk, fp, lacking)

    engaged = np.bincount(fk, weights=state.fighters[fk, fp], minlength=k_slots)
    return WarRecord(
        armed=np.bincount(fk, weights=armed, minlength=k_slots),
        deployed=sent,
        hired=hired,
        hiring_usd=hiring_usd,
        withdrawn=withdrawn,
        engaged=engaged,
        deploy_usd=deploy_usd,
        fronts=int(fk.size),
    )


def hire_at_fronts(
    state: State, ctx: Context, fk: np.ndarray, fp: np.ndarray, lacking: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Recruit fighters at the fronts ``(fk, fp)`` for part of what they lack (mutates state).

    Each front asks for ``war_recruitment x lacking``; the plaza's room (its youth
    pool share less the members already there) is shared among the fronts there in
    proportion to what they ask, and each cartel's hiring is scaled to what its cash
    pays at ``recruit_cost_usd`` a recruit. Returns ``(K,)`` recruits and USD paid.
    """
    p = ctx.params
    k_slots, n = state.strength.shape
    asking = np.flatnonzero(lacking > 0)
    if asking.size == 0 or p.war_recruitment <= 0:
        return np.zeros(k_slots), np.zeros(k_slots)
    fk, fp = fk[asking], fp[asking]
    ask = p.war_recruitment * lacking[asking]
    # Dead slots hold no members, so the column sums are the living cartels' members.
    local = state.strength[:, fp].sum(axis=0)
    room = np.maximum(p.youth_pool_share * ctx.world.youth[fp] - local, 0.0)
    asked_here = np.bincount(fp, weights=ask, minlength=n)[fp]
    ask *= np.minimum(1.0, room / np.maximum(asked_here, 1e-300))
    cost = np.bincount(fk, weights=ask, minlength=k_slots) * p.recruit_cost_usd
    cash = np.maximum(state.cash, 0.0)
    pay = np.ones(k_slots)
    np.divide(cash, cost, out=pay, where=cost > cash)
    ask *= pay[fk]
    np.add.at(state.strength, (fk, fp), ask)
    np.add.at(state.fighters, (fk, fp), ask)
    hired = np.bincount(fk, weights=ask, minlength=k_slots)
    hiring_usd = hired * p.recruit_cost_usd
    state.cash -= hiring_usd
    return hired, hiring_usd
