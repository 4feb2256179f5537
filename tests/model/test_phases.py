"""Each weekly phase on hand-made states: routing, supply, money, learning, conflict,
enforcement. States are built from the 60-plaza synthetic world and edited array by array.
"""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from plazasim.model.conflict import ConflictRecord, fight, update_control
from plazasim.model.context import Context
from plazasim.model.enforcement import enforce
from plazasim.model.learning import learn
from plazasim.model.money import pay_and_launder
from plazasim.model.revenue import RevenueRecord
from plazasim.model.routing import Routes, compute_routes, toll_km
from plazasim.model.state import NO_CARTEL, State
from plazasim.model.supply import supply_and_route
from plazasim.policies import OP_ARRESTS, OP_TAKEDOWN, Observation, Operations, Policy
from plazasim.world.world import ALLIED, NEUTRAL, RIVAL

# --------------------------------------------------------------------------- helpers


def path(routes: Routes, cartel: int, source: int) -> np.ndarray:
    (row,) = np.flatnonzero((routes.cartels == cartel) & (routes.sources == source))
    return routes.nodes[routes.start[row] : routes.start[row] + routes.length[row]]


def path_cost(state: State, ctx: Context, cartel: int, nodes: np.ndarray) -> float:
    """Cost of ``nodes`` by the documented form: km x (1 + f heat[v]) + toll[v] per link
    into v, plus the crossing cost of the last plaza (and the 1e-9 per link of the graph).
    """
    km = {
        (int(u), int(v)): float(d)
        for u, v, d in zip(ctx.edge_u, ctx.edge_v, ctx.edge_km, strict=True)
    }
    toll = toll_km(state, ctx, np.array([cartel]))[0]
    f = ctx.params.heat_cost_factor
    total = 0.0
    for u, v in itertools.pairwise(nodes):
        total += km[(int(u), int(v))] * (1.0 + f * state.heat[v]) + toll[v] + 1e-9
    (pos,) = np.flatnonzero(ctx.crossings == nodes[-1])
    return total + float(ctx.crossing_cost[pos]) + 1e-9


def cheapest_path(state: State, ctx: Context) -> tuple[int, int, np.ndarray, float]:
    """(cartel, entry, nodes, cost) of the cheapest route with at least 2 interior plazas."""
    routes = compute_routes(state, ctx)
    ok = np.isfinite(routes.cost) & (routes.length >= 4)
    row = int(np.flatnonzero(ok)[np.argmin(routes.cost[ok])])
    cartel, source = int(routes.cartels[row]), int(routes.sources[row])
    return cartel, source, path(routes, cartel, source), float(routes.cost[row])


def graph(ctx: Context) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(range(ctx.n_plazas))
    g.add_edges_from(zip(ctx.edge_u.tolist(), ctx.edge_v.tolist(), strict=True))
    return g


def reaches_crossing_without(ctx: Context, source: int, banned: set[int]) -> bool:
    g = graph(ctx)
    g.remove_nodes_from(banned)
    return any(nx.has_path(g, source, int(c)) for c in ctx.crossings if int(c) in g)


def no_conflict(state: State) -> ConflictRecord:
    k, p = state.strength.shape
    return ConflictRecord(
        cartel_deaths=np.zeros(p),
        executions=np.zeros(p),
        bystanders=np.zeros(p),
        killed_by=np.zeros((k, p)),
        members_lost=np.zeros(k),
        disputed=np.zeros(p, bool),
        fights_with_controller=np.zeros((k, p), bool),
    )


class Scripted(Policy):
    """A policy that orders exactly the given operations, whatever it sees."""

    name = "scripted"

    def __init__(self, *ops: tuple[int, int, int]) -> None:
        self.ops = ops
        self.seen: list[Observation] = []

    def decide(self, obs: Observation, rng: np.random.Generator) -> Operations:
        self.seen.append(obs)
        out = Operations()
        for plaza, cartel, kind in self.ops:
            out.add(plaza, cartel, kind)
        return out


# --------------------------------------------------------------------------- routing


def test_route_cost_follows_the_documented_form(fresh) -> None:
    state, ctx = fresh()
    state.heat[:] = np.linspace(0.0, 2.0, ctx.n_plazas)
    routes = compute_routes(state, ctx)
    for row in np.flatnonzero(np.isfinite(routes.cost)):
        nodes = path(routes, int(routes.cartels[row]), int(routes.sources[row]))
        assert nodes[0] == routes.sources[row]
        assert nodes[-1] in ctx.crossings
        assert path_cost(state, ctx, int(routes.cartels[row]), nodes) == pytest.approx(
            routes.cost[row], rel=1e-9
        )
    # Every alive cartel is routed from every entry.
    assert routes.cartels.size == state.alive.sum() * ctx.entries.size


def test_heat_on_a_path_diverts_the_route(fresh) -> None:
    """Dell 2015: enforcement on a route makes traffickers take another, costlier one."""
    state, ctx = fresh()
    cartel, source, old, old_cost = cheapest_path(state, ctx)
    interior = old[1:-1]
    assert reaches_crossing_without(ctx, source, set(interior.tolist()))
    state.heat[interior] = 5.0
    new = path(compute_routes(state, ctx), cartel, source)
    new_cost = path_cost(state, ctx, cartel, new)
    assert not np.array_equal(new, old)
    assert state.heat[new].sum() < state.heat[old].sum()
    assert new_cost > old_cost  # the old route was the cheapest before the heat
    assert new_cost < path_cost(state, ctx, cartel, old)  # diverting beats paying the heat


def test_rival_plaza_is_avoided_when_an_alternative_exists(fresh) -> None:
    state, ctx = fresh()
    cartel, source, old, _ = cheapest_path(state, ctx)
    # Pick an interior plaza whose loss leaves the source connected to a crossing.
    target = next(int(v) for v in old[1:-1] if reaches_crossing_without(ctx, source, {int(v)}))
    rival = next(int(j) for j in np.flatnonzero(state.alive) if j != cartel)
    state.control[state.control == rival] = NO_CARTEL  # the rival holds only the target
    state.control[target] = rival
    state.relation[cartel, rival] = state.relation[rival, cartel] = RIVAL
    new = path(compute_routes(state, ctx), cartel, source)
    assert target not in new
    assert path_cost(state, ctx, cartel, new) < ctx.params.rival_toll_km


def test_rival_plaza_is_crossed_at_a_price_when_it_is_the_only_way(fresh) -> None:
    state, ctx = fresh()
    cartel, source, _, _ = cheapest_path(state, ctx)
    rival = next(int(j) for j in np.flatnonzero(state.alive) if j != cartel)
    state.relation[cartel, rival] = state.relation[rival, cartel] = RIVAL
    neighbours = ctx.adj.indices[ctx.adj.indptr[source] : ctx.adj.indptr[source + 1]]
    state.control[:] = NO_CARTEL
    state.control[neighbours] = rival  # the source is walled in by the rival
    routes = compute_routes(state, ctx)
    (row,) = np.flatnonzero((routes.cartels == cartel) & (routes.sources == source))
    assert np.isfinite(routes.cost[row])
    assert routes.cost[row] > ctx.params.rival_toll_km
    # The rival's own route from there pays no toll at all.
    (row_r,) = np.flatnonzero((routes.cartels == rival) & (routes.sources == source))
    assert routes.cost[row_r] < ctx.params.rival_toll_km


def test_tolls_by_relation(fresh) -> None:
    state, ctx = fresh(piso_km=150.0, allied_toll_km=20.0, rival_toll_km=3000.0)
    state.control[:] = NO_CARTEL
    state.control[:4] = [0, 1, 2, 3]
    state.relation[0, 1:4] = state.relation[1:4, 0] = [ALLIED, NEUTRAL, RIVAL]
    toll = toll_km(state, ctx, np.array([0]))[0]
    np.testing.assert_array_equal(toll[:4], [0.0, 20.0, 150.0, 3000.0])
    assert (toll[4:] == 0.0).all()


# --------------------------------------------------------------------------- supply


@pytest.mark.parametrize("heat", [0.0, 3.0])
def test_supply_books_balance_in_one_call(fresh, heat: float) -> None:
    state, ctx = fresh()
    state.heat[:] = heat
    state.stock[:4] = [0.5, 0.0, 1.0, 0.2]  # some stock carried over
    before = state.stock.copy()
    rec = supply_and_route(state, ctx)
    p = ctx.params
    assert rec.entered_t == pytest.approx(p.cocaine_tons_per_year / 52.0 * ctx.scale, rel=1e-12)
    delivered = float(rec.delivered_t.sum())
    change = float(state.stock.sum() - before.sum())
    assert rec.entered_t == pytest.approx(
        delivered + rec.seized_route_t + rec.seized_border_t + change, rel=1e-12
    )
    assert delivered > 0 and rec.seized_route_t > 0 and rec.seized_border_t > 0
    # The US border takes its share of what arrives.
    assert rec.seized_border_t == pytest.approx(
        p.us_border_seizure * (delivered + rec.seized_border_t), rel=1e-9
    )
    # Piso is a transfer: what shippers pay, controllers receive.
    assert rec.toll_income_usd.sum() == pytest.approx(rec.toll_paid_usd.sum(), rel=1e-12)
    assert (rec.flow_t >= 0).all() and (state.stock >= 0).all()
    assert (rec.delivered_t[~state.alive] == 0).all()


def test_heat_raises_seizures(fresh) -> None:
    cold, ctx = fresh()
    hot = cold.copy()
    hot.heat[:] = 3.0
    a, b = supply_and_route(cold, ctx), supply_and_route(hot, ctx)
    assert b.seized_route_t > 2 * a.seized_route_t
    assert b.delivered_t.sum() < a.delivered_t.sum()


# --------------------------------------------------------------------------- money


def revenue(total: np.ndarray) -> RevenueRecord:
    zero = np.zeros_like(total)
    return RevenueRecord(export_usd=total, toll_usd=zero, local_usd=zero, total_usd=total)


def test_infiltration_is_one_minus_exp_of_bribes(fresh) -> None:
    state, ctx = fresh()
    p = ctx.params
    k = state.n_slots
    rev = np.zeros(k)
    rev[:4] = np.array([0.0, 0.5, 1.0, 3.0]) * p.bribe_scale_usd_per_week / p.bribe_share
    state.cash[:4] = 1e12  # ample cash: every payment is made in full
    cash_before = state.cash.copy()
    money = pay_and_launder(state, ctx, revenue(rev))
    np.testing.assert_allclose(money.bribes_usd[:4], p.bribe_share * rev[:4], rtol=1e-12)
    np.testing.assert_allclose(
        state.infiltration[:4], 1.0 - np.exp([0.0, -0.5, -1.0, -3.0]), rtol=1e-12
    )
    np.testing.assert_allclose(
        state.infiltration, 1.0 - np.exp(-money.bribes_usd / p.bribe_scale_usd_per_week)
    )
    # Laundered: a share of the proceeds, revenue less the wages paid first.
    proceeds = np.maximum(rev - money.wages_usd, 0.0)
    np.testing.assert_allclose(
        money.laundered_usd + money.intercepted_usd, p.launder_share * proceeds, rtol=1e-12
    )
    np.testing.assert_allclose(
        money.intercepted_usd, p.intercept_share * p.launder_share * proceeds, rtol=1e-12
    )
    assert (money.unpaid_share[:4] == 0).all()
    spent = money.laundered_usd + money.intercepted_usd + money.bribes_usd + money.wages_usd
    np.testing.assert_allclose(state.cash - cash_before, rev - spent, rtol=0, atol=1e-3)
    # Bribes stop, infiltration is gone the same week.
    pay_and_launder(state, ctx, revenue(np.zeros(k)))
    assert (state.infiltration == 0).all()


def test_broke_cartel_pays_nothing_and_owes_its_wages(fresh) -> None:
    state, ctx = fresh()
    state.cash[:] = 0.0
    money = pay_and_launder(state, ctx, revenue(np.zeros(state.n_slots)))
    assert (money.wages_usd == 0).all() and (money.bribes_usd == 0).all()
    assert (money.unpaid_share[state.alive] == 1.0).all()
    assert (state.cash == 0).all()


# --------------------------------------------------------------------------- learning


def learn_weeks(
    state: State, ctx: Context, rng: np.random.Generator, punish: str, weeks: int = 60
) -> None:
    present = state.alive[:, None] & (state.strength >= ctx.params.presence_threshold)
    for _ in range(weeks):
        state.violent[:] = present & (rng.random(present.shape) < 0.5)
        if punish == "violent":
            state.punished[:] = state.violent
        elif punish == "discreet":
            state.punished[:] = present & ~state.violent
        elif punish == "all":
            state.punished[:] = present
        else:  # "coin": punished at random, whatever the posture
            state.punished[:] = present & (rng.random(present.shape) < 0.5)
        learn(state, ctx)


def test_conditional_punishment_teaches_that_violence_is_punished(fresh, rng) -> None:
    state, ctx = fresh()
    prior = state.belief[0]
    learn_weeks(state, ctx, rng, "violent")
    alive = state.alive
    assert (state.belief[alive] > state.belief_discreet[alive]).all()
    assert (state.belief[alive] - state.belief_discreet[alive] > 0.5).all()
    assert (state.belief[alive] > prior).all() and (state.belief_discreet[alive] < prior).all()


def test_punishing_discretion_teaches_the_reverse(fresh, rng) -> None:
    state, ctx = fresh()
    learn_weeks(state, ctx, rng, "discreet")
    alive = state.alive
    assert (state.belief[alive] < state.belief_discreet[alive]).all()


@pytest.mark.parametrize("punish", ["all", "coin"])
def test_unconditional_punishment_opens_no_gap(fresh, rng, punish: str) -> None:
    state, ctx = fresh()
    learn_weeks(state, ctx, rng, punish)
    gap = state.belief[state.alive] - state.belief_discreet[state.alive]
    assert np.abs(gap).max() < 0.1  # conditional punishment opens a gap of ~0.98
    if punish == "all":
        assert (state.belief[state.alive] > 0.9).all()


# --------------------------------------------------------------------------- conflict


def face_off(
    empty, strong: float, weak: float, relation: int, *, at_war: bool = True, **overrides: object
):
    """Two cartels in plaza 0; ``at_war``: in an open war, every member a fighter."""
    state, ctx = empty(**overrides)
    state.strength[0, 0] = strong
    state.strength[1, 0] = weak
    state.control[0] = 0
    state.relation[0, 1] = state.relation[1, 0] = relation
    if at_war:
        state.war[0, 1] = state.war[1, 0] = relation == RIVAL
        state.fighters[:2, 0] = state.strength[:2, 0]
    return state, ctx


def test_hostile_cartels_fight_and_the_weaker_loses_more(empty, rng) -> None:
    state, ctx = face_off(empty, 1000.0, 300.0, RIVAL, lethality=0.1)
    p = ctx.params
    g = p.contest_exponent
    total = p.lethality * 1000.0 * 300.0 / 1300.0
    weak_share = 1000.0**g / (1000.0**g + 300.0**g)
    losses = []
    for _ in range(300):
        s = state.copy()
        rec = fight(s, ctx, rng)
        lost = state.strength[:2, 0] - s.strength[:2, 0]
        np.testing.assert_allclose(rec.members_lost[:2], lost)
        assert rec.cartel_deaths[0] == lost.sum()
        assert rec.disputed[0] and rec.disputed.sum() == 1
        losses.append(lost)
    mean = np.mean(losses, axis=0)
    assert mean[1] == pytest.approx(weak_share * total, rel=0.1)
    assert mean[0] == pytest.approx((1 - weak_share) * total, rel=0.25)
    assert mean[1] > 3 * mean[0] > 0


def test_violent_posture_raises_the_toll(empty, rng) -> None:
    calm, ctx = face_off(empty, 500.0, 500.0, RIVAL, lethality=0.1)
    hot = calm.copy()
    hot.violent[:2, 0] = True
    calm_loss = np.mean([fight(calm.copy(), ctx, rng).cartel_deaths[0] for _ in range(200)])
    hot_loss = np.mean([fight(hot.copy(), ctx, rng).cartel_deaths[0] for _ in range(200)])
    assert hot_loss == pytest.approx(ctx.params.violent_lethality_mult**2 * calm_loss, rel=0.15)


def test_allied_cartels_do_not_fight(empty, rng) -> None:
    state, ctx = face_off(empty, 1000.0, 300.0, ALLIED, lethality=0.2)
    for _ in range(50):
        s = state.copy()
        rec = fight(s, ctx, rng)
        assert not rec.disputed.any()
        assert rec.cartel_deaths.sum() == 0 and rec.bystanders.sum() == 0
        np.testing.assert_array_equal(s.strength, state.strength)


@pytest.mark.parametrize("hold", [1, 4, 7])
def test_control_passes_only_after_hold_weeks(empty, hold: int) -> None:
    state, ctx = face_off(empty, 10.0, 1000.0, RIVAL, hold_weeks=hold)
    for week in range(1, hold):
        update_control(state, ctx)
        assert state.control[0] == 0, f"control passed after {week} < {hold} weeks"
        assert state.challenger_weeks[0] == week
    update_control(state, ctx)
    assert state.control[0] == 1
    assert state.challenger_weeks[0] == 0


def test_challenge_that_falters_starts_over(empty) -> None:
    state, ctx = face_off(empty, 10.0, 1000.0, RIVAL, hold_weeks=4)
    for _ in range(3):
        update_control(state, ctx)
    assert state.control[0] == 0
    state.strength[0, 0] = 1000.0  # the incumbent is reinforced: nobody dominates
    update_control(state, ctx)
    assert state.challenger_weeks[0] == 0 and state.control[0] == 0
    state.strength[0, 0] = 10.0
    for _ in range(3):
        update_control(state, ctx)
        assert state.control[0] == 0
    update_control(state, ctx)
    assert state.control[0] == 1


def test_abandoned_plaza_goes_at_once_and_empty_plaza_to_nobody(empty) -> None:
    state, ctx = face_off(empty, 0.0, 1000.0, RIVAL, hold_weeks=4)
    state.control[1] = 2  # held, but nobody there at all
    update_control(state, ctx)
    assert state.control[0] == 1
    assert state.control[1] == NO_CARTEL


# --------------------------------------------------------------------------- enforcement


def strongest(state: State, cartel: int) -> int:
    return int(np.argmax(state.strength[cartel]))


def enforce_one(
    fresh,
    rng,
    kind: int,
    *,
    infiltration: float = 0.0,
    protected: bool = False,
    **overrides: object,
):
    state, ctx = fresh(**overrides)
    state.capacity_mult = 1000.0  # a tiny world's capacity would round to 0 operations
    plaza = strongest(state, 0)
    state.infiltration[0] = infiltration
    state.protected[0] = protected
    before = state.copy()
    policy = Scripted((plaza, 0, kind))
    rec = enforce(state, ctx, policy, no_conflict(state), rng)
    return before, state, ctx, plaza, rec


def test_takedown_removes_its_share_when_nothing_leaks(fresh, rng) -> None:
    before, state, ctx, plaza, rec = enforce_one(fresh, rng, OP_TAKEDOWN, takedown_share=0.3)
    p = ctx.params
    local = before.strength[0, plaza]
    assert state.strength[0, plaza] == pytest.approx(local * (1 - 0.3), rel=1e-12)
    nbrs = ctx.adj.indices[ctx.adj.indptr[plaza] : ctx.adj.indptr[plaza + 1]]
    np.testing.assert_allclose(
        state.strength[0, nbrs], before.strength[0, nbrs] * (1 - p.takedown_neighbour_share)
    )
    assert not rec.leaked.any()
    removed = before.strength[0].sum() - state.strength[0].sum()
    assert rec.arrested[0] == pytest.approx(removed, rel=1e-12)
    np.testing.assert_array_equal(state.strength[1:], before.strength[1:])
    # Cash of the network: seize_cash_share x the plaza's share of the cartel's members.
    seized = p.seize_cash_share * local / before.strength[0].sum() * before.cash[0]
    assert rec.cash_seized_usd[0] == pytest.approx(seized, rel=1e-9)
    assert state.cash[0] == pytest.approx(before.cash[0] - seized, rel=1e-12)
    # Clash deaths are whole persons, out of the members removed.
    deaths = rec.state_deaths
    assert (deaths == np.round(deaths)).all() and deaths.sum() <= removed
    assert (rec.plaza.tolist(), rec.cartel.tolist(), rec.kind.tolist()) == (
        [plaza],
        [0],
        [OP_TAKEDOWN],
    )
    assert state.punished[0, plaza] and state.punished.sum() == 1
    assert state.heat[plaza] == pytest.approx(p.heat_per_op)


def test_arrests_remove_the_arrest_share(fresh, rng) -> None:
    before, state, _, plaza, _ = enforce_one(fresh, rng, OP_ARRESTS, arrest_share=0.2)
    assert state.strength[0, plaza] == pytest.approx(before.strength[0, plaza] * 0.8, rel=1e-12)
    assert state.strength[0].sum() == pytest.approx(
        before.strength[0].sum() - 0.2 * before.strength[0, plaza], rel=1e-12
    )


def test_leaked_takedown_removes_less(fresh, rng) -> None:
    before, state, _, plaza, rec = enforce_one(
        fresh, rng, OP_TAKEDOWN, infiltration=1.0, takedown_share=0.3, leak_effect=0.7
    )
    assert rec.leaked.all()
    local = before.strength[0, plaza]
    assert state.strength[0, plaza] == pytest.approx(local * (1 - 0.3 * 0.3), rel=1e-12)
    assert state.strength[0, plaza] > local * (1 - 0.3)


def test_partial_infiltration_leaks_about_that_often(fresh) -> None:
    leaks = [
        enforce_one(fresh, np.random.default_rng(i), OP_TAKEDOWN, infiltration=0.4)[4].leaked[0]
        for i in range(200)
    ]
    assert np.mean(leaks) == pytest.approx(0.4, abs=0.1)


@pytest.mark.parametrize("kind", [OP_ARRESTS, OP_TAKEDOWN])
def test_protected_cartel_is_never_hit(fresh, rng, kind: int) -> None:
    before, state, _, _, rec = enforce_one(fresh, rng, kind, protected=True)
    np.testing.assert_array_equal(state.strength, before.strength)
    np.testing.assert_array_equal(state.cash, before.cash)
    assert rec.plaza.size == 0 and rec.arrested.sum() == 0
    assert not state.punished.any()


def test_capacity_truncates_in_priority_order(fresh, rng) -> None:
    state, ctx = fresh()
    # Capacity is floor(ops/week x mult x scale + U): exactly one operation this week.
    state.capacity_mult = 1.0000001 / (ctx.params.capacity_ops_per_week * ctx.scale)
    first, second = strongest(state, 1), strongest(state, 0)
    before = state.copy()
    policy = Scripted((first, 1, OP_TAKEDOWN), (second, 0, OP_TAKEDOWN))
    rec = enforce(state, ctx, policy, no_conflict(state), rng)
    assert policy.seen[0].capacity == 1
    assert rec.plaza.tolist() == [first] and rec.cartel.tolist() == [1]
    assert state.strength[1, first] < before.strength[1, first]
    np.testing.assert_array_equal(state.strength[0], before.strength[0])


def test_no_capacity_no_operation(fresh, rng) -> None:
    state, ctx = fresh()
    state.capacity_mult = 0.0
    before = state.copy()
    rec = enforce(
        state, ctx, Scripted((strongest(state, 0), 0, OP_TAKEDOWN)), no_conflict(state), rng
    )
    assert rec.plaza.size == 0
    np.testing.assert_array_equal(state.strength, before.strength)
