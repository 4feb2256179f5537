"""Phase 7: the state observes, the policy orders operations, operations take effect.

What the state sees (docs/MODEL.md, "Enforcement"): cartel presence, an estimate of
strength, the controller (a US-signalled cartel is reported as the controller of
its plaza), and last week's killings attributed to cartels with noise — a share
``attribution_noise`` of each cartel's killings is blamed on the other cartels
present.

Effects of one operation of intensity ``i`` on cartel k in plaza p (seed rules;
Lessing 2015 on repression provoking fights); the op leaks with probability
``infiltration[k]`` (bribes, phase 3), which cuts its effect by ``leak_effect``:
* arrests: ``arrest_share x i`` of k's members in p are arrested;
* takedown: ``takedown_share x i`` in p plus ``takedown_neighbour_share x i`` in
  neighbouring plazas, and ``seize_cash_share`` of the cash tied to that network;
* kingpin: with probability ``kingpin_success x i`` a leader falls, cutting
  cohesion by ``kingpin_cohesion_loss`` (phase 8 may then split the cartel).
Each operation kills ``state_clash_deaths`` cartel members per member removed
(more against a violent cartel: ``state_clash_violent_mult``): state-cartel
homicides. Heat rises by ``heat_per_op`` where operations happen and decays.

A US signal (scenario event) is backed here, whatever the policy (except one
that does not enforce at all): operations against the declared cartel in its
plaza are dropped and its non-allied challengers there are taken down first.

Scenario events act here too:
* an immunity deal (seed): the informant is never hit, and against the cartels it
  is not allied with (``intelligence_against``) an operation's effect rises by
  the deal's intelligence share ``g`` (x ``1 + g``), its leak probability falls
  (x ``1 - g``), and so does the noise of the state's strength estimate;
* a military operation (Dell 2015; Espinosa & Rubin 2015; military_operations_valle.csv):
  each surge adds its own operations a week in its region, on top of the national
  capacity, aimed by the policy in force: the policy decides again on what the
  state sees in the region alone (a policy that does not enforce runs none);
* a historical leader removal (kingpin_capture / kingpin_killed): carried out
  as a certain kingpin operation, whatever the policy or the deal.
A leader who falls (by event or by a kingpin operation) falls in a plaza, which
becomes the cartel's ``leader_plaza``: the succession fight is fiercest there
(phase 6). A leader the policy's own kingpin operation removes also adds to the
cartel's ``fracture`` (phase 8 may split it); historical removals do not, since
the scenario's timeline carries the splits that followed them.

Destabilisation (Dell 2015; Calderón et al. 2015; Osorio 2015): the share of a
controller's local members an operation removes adds to the plaza's
``weakened`` score (decaying like heat), which rivals weigh when they choose
where to attack (phase 5); an operation also breaks a truce (phase 5b).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from plazasim.model.cells import row_entries
from plazasim.model.conflict import ConflictRecord
from plazasim.model.context import Context
from plazasim.model.operations import (
    OP_ARRESTS,
    OP_KINGPIN,
    OP_TAKEDOWN,
    EnforcementPolicy,
    Observation,
    Operations,
)
from plazasim.model.state import NO_CARTEL, State, sparse_poisson
from plazasim.world.world import ALLIED


@dataclass(frozen=True)
class EnforcementRecord:
    """Operations carried out this week and their results."""

    plaza: np.ndarray  # (O,) plaza of each operation carried out
    cartel: np.ndarray  # (O,)
    kind: np.ndarray  # (O,)
    leaked: np.ndarray  # (O,) bool
    arrested: np.ndarray  # (K,) members arrested
    state_deaths: np.ndarray  # (P,) cartel members killed in clashes with the state
    cash_seized_usd: np.ndarray  # (K,)
    kingpins: np.ndarray  # (K,) leaders removed
    violence_observed: np.ndarray  # (P,) killings the state attributes to cartels


def intelligence_against(state: State) -> np.ndarray:
    """``(K,)`` intelligence share the state holds on each cartel from immunity deals.

    An informant (protected, ``intelligence > 0``) informs on every living cartel it
    is not allied with; with several informants the best one counts.
    """
    informants = np.flatnonzero(state.alive & state.protected & (state.intelligence > 0))
    gain = np.zeros(state.n_slots)
    for i in informants:
        targets = state.alive & (state.relation[i] != ALLIED)
        targets[i] = False
        gain = np.where(targets, np.maximum(gain, state.intelligence[i]), gain)
    return gain


def attributed_violence(
    true_kills: np.ndarray, total: np.ndarray, ks: np.ndarray, ps: np.ndarray, noise: float
) -> np.ndarray:
    """``(K, P)`` killings the state attributes to each cartel present (persons/week).

    A share ``noise`` of each cartel's killings is blamed, evenly, on the other cartels
    present in the plaza; cartels not seen there are blamed for nothing. ``ks, ps``
    are the seen presences and ``total`` the killings per plaza. Only presences in
    plazas with killings are computed (a few hundred cells a week).
    """
    violence = np.zeros(true_kills.shape)
    n_present = np.bincount(ps, minlength=total.size)
    hit = total[ps] > 0
    kc, pc = ks[hit], ps[hit]
    others = np.maximum(n_present[pc] - 1, 1)
    tk = true_kills[kc, pc]
    violence[kc, pc] = (1.0 - noise) * tk + noise * (total[pc] - tk) / others
    return violence


def observe(
    state: State,
    ctx: Context,
    conflict: ConflictRecord,
    rng: np.random.Generator,
    intelligence: np.ndarray | None = None,
) -> Observation:
    """Build what the state can see this week.

    ``intelligence`` is :func:`intelligence_against` for this week, if the caller
    has it already.
    """
    p = ctx.params
    alive = state.alive
    n = state.strength.shape[1]
    # Dead slots are seen as absent. This copy becomes the strength estimate below.
    estimate = state.strength.copy()
    estimate[~alive] = 0.0
    present = estimate >= p.presence_threshold
    # The seen presences as flat indices into (K, P), row-major (cartel, then plaza).
    cells = np.flatnonzero(present)
    ks, ps = np.divmod(cells, n)
    true_kills = conflict.killed_by
    total = true_kills.sum(axis=0)
    violence = attributed_violence(true_kills, total, ks, ps, p.attribution_noise)
    # The state estimates the presences it sees, with lognormal noise (sd 0.2 in logs,
    # less against an informant's rivals); what it does not see it takes at face value.
    if intelligence is None:
        intelligence = intelligence_against(state)
    sigma = 0.2 * (1.0 - intelligence)
    estimate.reshape(-1)[cells] *= np.exp(sigma[ks] * rng.standard_normal(ks.size))
    controller = np.where(state.signal != NO_CARTEL, state.signal, state.control)
    capacity = int(
        np.floor(p.capacity_ops_per_week * state.capacity_mult * ctx.scale + rng.random())
    )
    return Observation(
        week=state.week,
        alive=alive.copy(),
        names=tuple(state.names),
        present=present,
        strength_estimate=estimate,
        controller=controller,
        disputed=conflict.disputed.copy(),
        violence=violence,
        violence_total=total,
        fights_with_controller=conflict.fights_with_controller.copy(),
        arrival_week=state.arrival_week.copy(),
        first_violence_week=state.first_violence_week.copy(),
        relation=state.relation.copy(),
        protected=state.protected.copy(),
        signal=state.signal.copy(),
        members=estimate.sum(axis=1),
        capacity=capacity,
        population=ctx.world.population,
    )


def back_signals(state: State, obs: Observation, ops: Operations) -> Operations:
    """Put operations against challengers of US-signalled cartels first (docs/SCENARIOS.md)."""
    plazas = np.flatnonzero(state.signal != NO_CARTEL)
    if plazas.size == 0:
        return ops
    backed = Operations()
    for plaza in plazas.tolist():
        winner = int(state.signal[plaza])
        for k in np.flatnonzero(obs.present[:, plaza] & obs.alive).tolist():
            if k != winner and state.relation[k, winner] != ALLIED and not obs.protected[k]:
                backed.add(plaza, k, OP_TAKEDOWN)
    signalled = state.signal
    for pl, k, kind, inten in zip(ops.plaza, ops.cartel, ops.kind, ops.intensity, strict=True):
        if signalled[pl] == k:
            continue
        backed.add(pl, k, kind, inten)
    return backed


def surge_operations(
    state: State, obs: Observation, policy: EnforcementPolicy | None, rng: np.random.Generator
) -> tuple[np.ndarray, ...]:
    """Operations of the military operations in force, each aimed by the policy in force.

    A surge of ``r`` operations a week runs ``floor(r + u)`` of them (``u`` uniform,
    so the mean is ``r``). For each surge the policy decides again on what the state
    sees in the surge's region alone (``present`` restricted to its plazas) with that
    many operations as capacity, so a surge under ``signaling`` punishes violence and
    backs incumbents there, and one under ``crackdown`` hits the largest presences.
    Policies are told the same week again; see docs/POLICIES.md for what that asks
    of a policy with memory. A surge with an aim of its own (``State.surge_aims``)
    follows that policy instead; ``policy`` is None when the policy in force does not
    enforce, and then only such surges run. Operations on a US-signalled cartel in
    its own plaza are dropped, as for the national policy.
    """
    groups: dict[int, tuple[EnforcementPolicy, list[tuple[np.ndarray, int]]]] = {}
    for op_id in sorted(state.surges):
        plazas, per_week = state.surges[op_id]
        count = int(np.floor(per_week + rng.random()))
        aim = state.surge_aims.get(op_id, policy)
        if count > 0 and aim is not None:
            groups.setdefault(id(aim), (aim, []))[1].append((plazas, count))
    regions = [region for _, group in groups.values() for region in group]
    decided = [ops for aim, group in groups.values() for ops in aim.decide_regions(obs, group, rng)]
    parts: list[tuple[np.ndarray, ...]] = []
    inside = np.zeros(np.shape(obs.present)[1], dtype=bool)
    for (plazas, count), ops in zip(regions, decided, strict=True):
        plaza, cartel, kind, intensity = (a[:count] for a in ops.as_arrays())
        inside[:] = False
        inside[plazas] = True
        keep = (plaza >= 0) & inside[np.clip(plaza, 0, inside.size - 1)]
        parts.append((plaza[keep], cartel[keep], kind[keep], intensity[keep]))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, np.zeros(0)
    plaza, cartel, kind, intensity = (np.concatenate(cols) for cols in zip(*parts, strict=True))
    keep = state.signal[plaza] != cartel
    return plaza[keep], cartel[keep], kind[keep], intensity[keep]


def remove_leaders(
    state: State, ctx: Context, state_deaths: np.ndarray, kingpins: np.ndarray
) -> np.ndarray:
    """Carry out the leader removals queued by scenario events this week (mutates all).

    Each removes one member (the leader), after this week's operations, in the
    plaza named or in the cartel's stronghold, cuts cohesion like a successful
    kingpin operation, and, for a killing, adds one state-cartel homicide there.
    Returns ``(K,)`` members removed.
    """
    p = ctx.params
    removed = np.zeros(state.n_slots)
    for k, plaza, killed in state.pending_leaders:
        if not state.alive[k]:
            continue
        where = plaza if plaza >= 0 else int(np.argmax(state.strength[k]))
        taken = min(1.0, state.strength[k, where])
        if taken > 0:
            state.strength[k, where] -= taken
            state.fighters[k, where] = min(state.fighters[k, where], state.strength[k, where])
            removed[k] += taken
            if killed:
                state_deaths[where] += 1.0
        kingpins[k] += 1.0
        state.cohesion[k] = max(state.cohesion[k] - p.kingpin_cohesion_loss, 0.0)
        state.leader_plaza[k] = where
    state.pending_leaders.clear()
    return removed


def operation_removals(
    state: State,
    ctx: Context,
    cartel: np.ndarray,
    plaza: np.ndarray,
    kind: np.ndarray,
    effect: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Members removed and cash seized by this week's operations (reads ``state`` only).

    Arrests remove ``arrest_share x effect`` of the cartel's members in the plaza, a
    takedown ``takedown_share x effect`` there and ``takedown_neighbour_share x
    effect`` in each neighbouring plaza, all from the strength before any removal,
    summed per cell and capped at what is there. Returns the cells (cartel slots,
    plazas, sorted by cartel then plaza), the members removed from each, and
    ``(K,)`` cash seized (USD). Works on (cartel, plaza, amount) triplets, so it
    costs what the operations cost, not what the map costs.
    """
    p = ctx.params
    k_slots, n = state.strength.shape
    is_arrest = kind == OP_ARRESTS
    is_take = kind == OP_TAKEDOWN
    frac = np.where(is_arrest, p.arrest_share, 0.0) + np.where(is_take, p.takedown_share, 0.0)
    frac = np.clip(frac * effect, 0.0, 1.0)
    rm_c, rm_p = [cartel], [plaza]
    rm_amount = [state.strength[cartel, plaza] * frac]
    cash_seized = np.zeros(k_slots)
    if is_take.any():
        t_c, t_p, t_e = cartel[is_take], plaza[is_take], effect[is_take]
        pos, counts = row_entries(ctx.adj.indptr, t_p)
        nbrs = ctx.adj.indices[pos]
        nb_c = np.repeat(t_c, counts)
        share = np.minimum(p.takedown_neighbour_share * np.repeat(t_e, counts), 1.0)
        rm_c.append(nb_c)
        rm_p.append(nbrs)
        rm_amount.append(state.strength[nb_c, nbrs] * share)
        members = np.maximum(state.strength.sum(axis=1), 1e-12)
        network = (state.strength[t_c, t_p] / members[t_c]) * p.seize_cash_share * t_e
        np.add.at(cash_seized, t_c, network)
        cash_seized = np.minimum(cash_seized, 1.0) * np.maximum(state.cash, 0.0)
    cells, where = np.unique(np.concatenate(rm_c) * n + np.concatenate(rm_p), return_inverse=True)
    cell_c, cell_p = cells // n, cells % n
    # (bincount returns integers when there is nothing to count: keep floats.)
    amount = np.bincount(where, weights=np.concatenate(rm_amount), minlength=cells.size).astype(
        np.float64
    )
    amount = np.minimum(amount, state.strength[cell_c, cell_p])
    return cell_c, cell_p, amount, cash_seized


def _valid(
    state: State, plaza: np.ndarray, cartel: np.ndarray, kind: np.ndarray, intensity: np.ndarray
) -> tuple[np.ndarray, ...]:
    """The operations that can take effect: on the map, on a living unprotected cartel."""
    k_slots, n = state.strength.shape
    ok = (plaza >= 0) & (plaza < n) & (cartel >= 0) & (cartel < k_slots)
    plaza, cartel, kind, intensity = plaza[ok], cartel[ok], kind[ok], intensity[ok]
    ok = state.alive[cartel] & ~state.protected[cartel] & (kind > 0) & (intensity > 0)
    return plaza[ok], cartel[ok], kind[ok], intensity[ok]


def enforce(
    state: State,
    ctx: Context,
    policy: EnforcementPolicy,
    conflict: ConflictRecord,
    rng: np.random.Generator,
    policy_rng: np.random.Generator | None = None,
) -> EnforcementRecord:
    """Observe, let the policy decide, apply the operations (mutates ``state``).

    ``policy_rng`` (default: ``rng``) feeds the policy and the military surges, so
    that what they draw does not shift the observation and effect draws.
    """
    p = ctx.params
    k_slots, n = state.strength.shape
    policy_rng = rng if policy_rng is None else policy_rng
    intelligence = intelligence_against(state)
    obs = observe(state, ctx, conflict, rng, intelligence)
    ops = policy.decide(obs, policy_rng)
    enforces = policy.enforces
    if enforces:
        ops = back_signals(state, obs, ops)
    plaza, cartel, kind, intensity = _valid(state, *ops.as_arrays())
    cap = max(obs.capacity, 0)
    plaza, cartel, kind, intensity = plaza[:cap], cartel[:cap], kind[:cap], intensity[:cap]
    if state.surges:
        extra = _valid(
            state, *surge_operations(state, obs, policy if enforces else None, policy_rng)
        )
        plaza, cartel, kind, intensity = (
            np.concatenate([a, b])
            for a, b in zip((plaza, cartel, kind, intensity), extra, strict=True)
        )

    gain = intelligence[cartel]
    leaked = rng.random(plaza.size) < state.infiltration[cartel] * (1.0 - gain)
    effect = intensity * np.where(leaked, 1.0 - p.leak_effect, 1.0) * (1.0 + gain)
    cell_c, cell_p, amount, cash_seized = operation_removals(
        state, ctx, cartel, plaza, kind, effect
    )
    violent_mult = np.where(state.violent[cell_c, cell_p], p.state_clash_violent_mult, 1.0)
    clash_expected = np.bincount(
        cell_p, weights=amount * violent_mult * p.state_clash_deaths, minlength=n
    ).astype(np.float64)
    state_deaths = sparse_poisson(rng, clash_expected)
    # Clash deaths come out of the members removed, not on top of them (whole persons).
    state_deaths = np.minimum(
        state_deaths, np.floor(np.bincount(cell_p, weights=amount, minlength=n))
    )

    kingpins = np.zeros(k_slots)
    is_king = kind == OP_KINGPIN
    if is_king.any():
        hit = rng.random(int(is_king.sum())) < np.clip(p.kingpin_success * effect[is_king], 0, 1)
        np.add.at(kingpins, cartel[is_king][hit], 1.0)
        state.cohesion = np.clip(state.cohesion - p.kingpin_cohesion_loss * kingpins, 0.0, 1.0)
        state.fracture = np.clip(state.fracture + p.kingpin_cohesion_loss * kingpins, 0.0, 1.0)
        # The last successful operation on a cartel names the plaza where its leader fell.
        state.leader_plaza[cartel[is_king][hit]] = plaza[is_king][hit]
    arrested = np.bincount(cell_c, weights=amount, minlength=k_slots).astype(np.float64)
    state.weakened *= p.heat_decay
    incumbent = (state.control[cell_p] == cell_c) & (amount > 0)
    np.add.at(
        state.weakened,
        cell_p[incumbent],
        amount[incumbent] / state.strength[cell_c[incumbent], cell_p[incumbent]],
    )
    np.minimum(state.weakened, 1.0, out=state.weakened)
    before = state.strength[cell_c, cell_p]
    kept = np.where(before > 0, 1.0 - amount / np.maximum(before, 1e-300), 0.0)
    state.strength[cell_c, cell_p] = np.maximum(before - amount, 0.0)
    state.fighters[cell_c, cell_p] *= np.clip(kept, 0.0, 1.0)  # fighters are hit alike
    if state.pending_leaders:
        arrested += remove_leaders(state, ctx, state_deaths, kingpins)
    state.cash -= cash_seized
    state.punished[:] = False
    state.punished[cartel, plaza] = True
    state.heat *= p.heat_decay
    np.add.at(state.heat, plaza, p.heat_per_op * intensity)
    return EnforcementRecord(
        plaza=plaza,
        cartel=cartel,
        kind=kind,
        leaked=leaked,
        arrested=arrested,
        state_deaths=state_deaths,
        cash_seized_usd=cash_seized,
        kingpins=kingpins,
        violence_observed=obs.violence.sum(axis=0),
    )
