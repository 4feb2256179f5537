"""The plazasim rules written the ordinary Mesa 3 way: the comparison a user would otherwise build.

This is a second implementation of the same model (docs/MODEL.md; the phase
modules of ``src/plazasim/model/``) used only as a benchmark baseline. It keeps
plazasim's formulas, parameters (:class:`plazasim.model.params.Parameters`),
world and policy objects, and swaps the array representation for agents:

* one :class:`Cartel` (a ``mesa.Agent``) per cartel, holding its cash, stock,
  cohesion, beliefs, relations (``{slot: RIVAL | NEUTRAL | ALLIED}``) and a
  ``dict`` plaza -> members; a split adds a new agent, a dissolved cartel is
  removed from the model;
* one :class:`Plaza` (a ``mesa.discrete_space.FixedAgent``) per municipality,
  fixed to its cell of a ``mesa.discrete_space.Network`` built over a networkx
  graph of the world's links, holding control, the contest, heat and flow;
* ``model.step()`` runs the ten phases in plazasim's order (``model/step.py``)
  with per-agent and per-plaza Python loops; routing is one
  ``nx.single_source_dijkstra`` per cartel from a virtual sink behind the US
  crossings, with a weight function that prices heat and tolls, re-planned when
  plazasim's rule says so (``routing.stale_cartels``: no plan yet, a split, an
  old plan or a plan that became materially dearer, both on review weeks);
* a ``mesa.DataCollector`` records the national series (the meanings and units
  of plazasim's ``national.parquet``, see ``model/recorder.py``).

Reused from plazasim, and why:

* **Setup only** (not the timed hot path): ``initial_state`` and
  ``build_context`` are called once in ``__init__`` to read the initial cartel
  map, cash, relations and control, and world-derived constants (entry shares,
  crossing costs, bystander factors, the world's scale); they are then copied
  into the agents. Deriving them again would only duplicate code, not rules.
* **The policy objects** (``plazasim.policies``): the government's policy is part
  of the rules, so each week the model builds the ``Observation`` the policy
  expects from the agents (as ``enforcement.observe`` does) and applies the
  ``Operations`` it returns with its own loops.

Randomness: every draw comes from the model's own ``self.rng`` (a numpy
Generator seeded by ``seed``), in agent order, so the streams differ from
plazasim's per-phase streams; ``benchmarks/check_equivalence.py`` therefore
compares the two statistically over seeds. ``debug_rng=MeanDraws()`` replaces
every draw by a fixed value (Poisson counts by their expectation, uniforms by ``u``),
which makes both implementations deterministic and comparable week by week.

Out of scope: scenario events (US signals, deals, captures, splits, military
operations, shocks). Their state (``signal``, ``protected``, multipliers) exists
at its neutral value so the formulas keep their shape. The comparison scenario
is :func:`bench_scenario`: ``mexico-2006`` without its ``[[events]]``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import defaultdict
from collections.abc import Sequence

import mesa
import networkx as nx
import numpy as np
import pandas as pd
from mesa.discrete_space import FixedAgent, Network

from plazasim.experiments.run import resolve_policies
from plazasim.model.context import build_context
from plazasim.model.engine import week_dates
from plazasim.model.params import Parameters
from plazasim.model.state import initial_state
from plazasim.policies import make_policy
from plazasim.policies.base import OP_ARRESTS, OP_KINGPIN, OP_TAKEDOWN, Observation, Policy
from plazasim.scenario import Scenario, load_scenario
from plazasim.world.world import ALLIED, NEUTRAL, RIVAL, World

NONE = -1  # no cartel
SINK = -1  # routing: virtual node behind the US crossings
MAX_SEIZURE_PER_PLAZA = 0.5
MAX_PRICE_INDEX = 10.0
MAX_WEEKLY_LOSS = 0.5
COLUMNS = (
    "homicides_total", "homicides_cartel", "homicides_state", "homicides_bystander",
    "homicides_baseline", "cocaine_entered_t", "cocaine_delivered_t", "cocaine_seized_t",
    "cocaine_stock_t", "revenue_usd", "laundered_usd", "members", "active_cartels",
    "operations", "plazas_disputed",
)


def _sigmoid(x: float) -> float:
    return 0.5 * (1.0 + math.tanh(0.5 * x))


class MeanDraws:
    """Debug stand-in for a numpy Generator: deterministic draws.

    Poisson counts are their expectation, normal draws 0 and every uniform draw
    is ``u`` (0.5, the median, by default; a small ``u`` makes most choices happen,
    which exercises the attack, violence, leak and split rules).
    """

    def __init__(self, u: float = 0.5) -> None:
        self.u = u

    def random(self, size=None):
        return self.u if size is None else np.full(size, self.u)

    def poisson(self, lam=1.0, size=None):
        return float(lam) if np.ndim(lam) == 0 else np.asarray(lam, dtype=float).copy()

    def standard_normal(self, size=None):
        return 0.0 if size is None else np.zeros(size)

    def uniform(self, low=0.0, high=1.0, size=None):
        mid = 0.5 * (low + high)
        return mid if size is None else np.full(size, mid)


class Plaza(FixedAgent):
    """A municipality: a fixed agent on its cell of the plaza network."""

    def __init__(self, model: DrugWarModel, cell, world: World, bystander: float) -> None:
        super().__init__(model)
        self.cell = cell
        i = self.index = int(cell.coordinate)
        self.population = float(world.population[i])
        growth = world.population_growth
        self.growth = 0.0 if growth is None else float(growth[i])
        self.youth = float(world.youth[i])
        self.kind = int(world.kind[i])
        self.baseline_rate = float(world.baseline_rate[i])
        self.lon, self.lat = float(world.lon[i]), float(world.lat[i])
        self.bystander_factor = bystander
        self.neighbours = sorted(int(k) for k in cell.connections)
        self.inv_deg = 1.0 / max(len(self.neighbours), 1)
        self.control = NONE
        self.contest_leader = NONE
        self.challenger_weeks = 0
        self.heat = 0.0
        self.signal = NONE  # US signal (events only)
        self.flow = 0.0

    def population_now(self, week: int) -> float:
        """Residents in week ``week`` (CONAPO growth rate)."""
        return self.population * math.exp(self.growth * (week / 52.0))


class Cartel(mesa.Agent):
    """One cartel: money, drugs, beliefs, relations and members per plaza."""

    def __init__(self, model: DrugWarModel, slot: int, name: str, parent: int = NONE) -> None:
        super().__init__(model)
        p = model.params
        self.slot, self.name, self.parent = slot, name, parent
        self.alive = True
        self.members: dict[int, float] = {}
        self.cash = 0.0
        self.stock = 0.0
        self.cohesion = 1.0
        self.relation: dict[int, int] = {}
        self.protected = False
        self.intelligence = 0.0
        self.leader_plaza = NONE
        prior = p.belief_alpha / (p.belief_alpha + p.belief_beta)
        self.belief = self.belief_discreet = prior
        self.counts = [0.0, 0.0, 0.0, 0.0]
        self.infiltration = 0.0
        self.violent: set[int] = set()
        self.punished: set[int] = set()
        self.arrival: dict[int, int] = {}
        self.first_violence: dict[int, int] = {}
        self.routes: dict[int, list[int]] | None = None  # entry -> path; None: no plan yet
        self.replan = False  # relations changed (a split's parent): re-plan next week
        self.planned_week = 0
        self.planned_cost = 0.0
        self.received: dict[int, float] = {}
        self.delivered = self.toll_income = self.toll_paid = self.revenue = 0.0
        self.unpaid = 0.0
        self.neighbour: dict[int, float] = {}
        self.attacks: list[int] = []

    # ---------------------------------------------------------------- helpers
    def rel(self, other: int) -> int:
        return ALLIED if other == self.slot else self.relation.get(other, NEUTRAL)

    def total(self) -> float:
        return sum(self.members.values())

    def present(self, plaza: int) -> bool:
        return self.members.get(plaza, 0.0) >= self.model.params.presence_threshold

    def present_plazas(self) -> list[int]:
        thr = self.model.params.presence_threshold
        return sorted(q for q, s in self.members.items() if s >= thr)

    # ---------------------------------------------------------------- 1. routing
    def toll_km(self, plaza: Plaza) -> float:
        """Km-equivalent toll to enter ``plaza``: 0 if unheld or own, else by relation."""
        p = self.model.params
        ctrl = plaza.control
        if ctrl == NONE or ctrl == self.slot:
            return 0.0
        r = self.rel(ctrl)
        return p.rival_toll_km if r == RIVAL else p.allied_toll_km if r == ALLIED else p.piso_km

    def path_cost(self, path: list[int]) -> float:
        """Today's cost of a planned path: heat-weighted km and tolls of each plaza entered."""
        m, hf = self.model, self.model.params.heat_cost_factor
        cost = 0.0
        for a, b in itertools.pairwise(path):
            pl = m.plazas[b]
            cost += m.route_graph[a][b]["km"] * (1.0 + hf * pl.heat) + self.toll_km(pl)
        return cost + m.crossing_cost[path[-1]]

    def plan_routes(self) -> None:
        """Least-cost path from every entry to a crossing (Dell 2015), by networkx Dijkstra.

        On the plaza graph plus a sink linked to the crossings, searched from the sink:
        expanding ``a`` towards ``b`` prices the move b -> a (cost of entering ``a``).
        """
        m, hf = self.model, self.model.params.heat_cost_factor
        toll = [self.toll_km(pl) for pl in m.plazas]
        heat_mult = [1.0 + hf * pl.heat for pl in m.plazas]
        cross_cost = m.crossing_cost

        def weight(a: int, b: int, data: dict) -> float | None:
            if a == SINK:
                return cross_cost[b] + 1e-9
            if b == SINK:
                return None  # never step back into the sink
            return data["km"] * heat_mult[a] + toll[a] + 1e-9

        _, paths = nx.single_source_dijkstra(m.route_graph, SINK, weight=weight)
        self.routes = {e: paths[e][:0:-1] for e in m.entries if e in paths}
        self.planned_week = m.week
        self.planned_cost = sum(self.path_cost(path) for path in self.routes.values())

    def routes_stale(self) -> bool:
        """Plan when there is no plan or relations changed; on review weeks (every
        ``route_update_weeks`` weeks of the run), re-plan when the plan is old or, for
        plans at least ``route_update_weeks`` old, materially dearer than planned.
        """
        if self.routes is None or self.replan:
            return True
        p, week = self.model.params, self.model.week
        if week % p.route_update_weeks:
            return False  # plans are only reviewed on review weeks
        age = week - self.planned_week
        if age >= p.route_max_age_weeks:
            return True
        if age < p.route_update_weeks or not self.routes:
            return False
        now = sum(self.path_cost(path) for path in self.routes.values())
        return now > self.planned_cost * (1.0 + p.route_cost_tolerance) + 1e-6

    # ---------------------------------------------------------------- 3. money
    def pay_and_launder(self) -> None:
        p = self.model.params
        m = self.model
        rev = self.revenue
        self.cash += rev
        positive = max(rev, 0.0)
        outflow = min(max(self.cash, 0.0), p.launder_share * positive)
        intercepted = outflow * p.intercept_share
        self.cash -= outflow
        bribes = min(max(self.cash, 0.0), p.bribe_share * positive)
        self.cash -= bribes
        self.infiltration = 1.0 - math.exp(-bribes / p.bribe_scale_usd_per_week)
        due = self.total() * p.wage_usd_per_member_year / 52.0
        wages = min(max(self.cash, 0.0), due)
        self.cash -= wages
        unpaid = 1.0 - wages / max(due, 1e-12) if due > 0 else 0.0
        self.unpaid = min(max(unpaid, 0.0), 1.0)
        m.tally["laundered_usd"] += outflow - intercepted

    # ---------------------------------------------------------------- 5. decisions
    def choose_attacks(self, defenders: dict[int, float], value: list[float],
                       v_ref: float) -> None:
        """Logit choice of plazas to attack next door (Lessing 2015/2017)."""
        m, p = self.model, self.model.params
        thr = p.presence_threshold
        nb: dict[int, float] = defaultdict(float)
        for q, s in self.members.items():
            if s > 0.0:
                pl = m.plazas[q]
                share = s * pl.inv_deg
                for r in pl.neighbours:
                    nb[r] += share
        self.neighbour = {r: v * p.attack_share for r, v in nb.items()}
        net = max(self.belief - self.belief_discreet, 0.0)
        g = p.contest_exponent
        self.attacks = []
        for r in sorted(self.neighbour):
            att = self.neighbour[r]
            pl = m.plazas[r]
            ctrl = pl.control
            if att < thr or self.present(r) or (ctrl != NONE and self.rel(ctrl) == ALLIED):
                continue
            dfd = defenders.get(r, 0.0)
            p_win = 1.0 / (1.0 + (dfd / max(att, 1e-12)) ** g)
            sig = pl.signal != NONE and self.rel(pl.signal) != ALLIED
            u = (p.attack_bias + math.log1p(value[r] / v_ref) * p_win
                 - p.attack_cost * dfd / (att + dfd)
                 - p.punishment_weight * net * (ctrl != NONE)
                 - p.punishment_weight * p.signal_credibility * sig)
            if m.rng.random() < _sigmoid(u / p.logit_temperature):
                self.attacks.append(r)

    def move_attackers(self) -> None:
        """Send ``attack_share / degree`` of the members next door into each attacked plaza."""
        if not self.attacks:
            return
        m, p = self.model, self.model.params
        out: dict[int, float] = defaultdict(float)
        for r in self.attacks:
            for q in m.plazas[r].neighbours:
                out[q] += 1.0
        new = dict(self.members)
        inflow = {r: self.neighbour[r] for r in self.attacks}
        for q in set(out) | set(inflow):
            s = self.members.get(q, 0.0)
            frac = min(out.get(q, 0.0) * m.plazas[q].inv_deg * p.attack_share, 1.0)
            new[q] = max(s + inflow.get(q, 0.0) - s * frac, 0.0)
        self.members = new

    def choose_postures(self, present_at: dict[int, list[Cartel]]) -> None:
        """Violent or discreet in each plaza where the cartel is present."""
        m, p = self.model, self.model.params
        net = max(self.belief - self.belief_discreet, 0.0)
        self.violent = set()
        for q in self.present_plazas():
            disputed = any(self.rel(o.slot) != ALLIED for o in present_at[q])
            sig = m.plazas[q].signal
            sig_on = sig != NONE and self.rel(sig) != ALLIED
            u = (p.violence_bias + p.violence_gain * (1.0 + disputed)
                 - p.punishment_weight * net
                 - p.punishment_weight * p.signal_credibility * sig_on)
            if m.rng.random() < _sigmoid(u / p.logit_temperature):
                self.violent.add(q)


class DrugWarModel(mesa.Model):
    """plazasim's weekly step as a Mesa model (see the module docstring)."""

    def __init__(self, world: World, params: Parameters, policies: Sequence[tuple[int, Policy]],
                 seed: int, *, debug_rng: MeanDraws | None = None) -> None:
        super().__init__(rng=seed)
        if debug_rng is not None:
            self.rng = debug_rng
        self.world, self.params = world, params
        self.week = 0
        self.timeline = sorted(policies, key=lambda item: item[0])
        self.policy: Policy = make_policy("laissez_faire")
        self._next_policy = 0
        self.supply_mult = self.capacity_mult = self.lethality_mult = 1.0  # events only
        # Setup (not the hot path): world-derived constants and the week-0 state.
        ctx = build_context(world, params)
        state0 = initial_state(world, params)
        self.scale = ctx.scale
        self.n_slots = state0.n_slots
        self.entries = [int(e) for e in ctx.entries]
        self.entry_share = [float(x) for x in ctx.entry_tons_share]
        self.crossing_cost = {int(c): float(x) for c, x in zip(ctx.crossings, ctx.crossing_cost,
                                                                strict=True)}
        graph = nx.Graph()
        graph.add_nodes_from(range(world.n_plazas))
        for u, v, km in zip(world.edge_src.tolist(), world.edge_dst.tolist(),
                            world.edge_km.tolist(), strict=True):
            graph.add_edge(u, v, km=km)
        self.grid = Network(graph, random=self.random)
        self.plazas = [Plaza(self, self.grid[i], world, float(ctx.bystander_factor[i]))
                       for i in range(world.n_plazas)]
        self.route_graph = graph.copy()
        self.route_graph.add_edges_from((SINK, c) for c in self.crossing_cost)
        self.slots: list[Cartel] = []
        for k in range(world.n_cartels):
            c = Cartel(self, k, state0.names[k])
            c.members = {int(q): float(s) for q, s in enumerate(state0.strength[k]) if s > 0}
            c.cash = float(state0.cash[k])
            c.arrival = {int(q): 0 for q in np.flatnonzero(state0.arrival_week[k] >= 0)}
            c.relation = {j: int(state0.relation[k, j]) for j in range(world.n_cartels) if j != k}
            self.slots.append(c)
        for pl, ctrl in zip(self.plazas, state0.control.tolist(), strict=True):
            pl.control = pl.contest_leader = int(ctrl)
        self.tally: dict[str, float] = defaultdict(float)
        self.datacollector = mesa.DataCollector(
            model_reporters={name: (lambda m, n=name: m.tally[n]) for name in COLUMNS})

    # ------------------------------------------------------------------ helpers
    @property
    def cartels(self) -> mesa.AgentSet:
        """Living cartels, in slot order: a dissolved cartel is removed from the model."""
        return self.agents_by_type[Cartel]

    def presence(self) -> dict[int, list[Cartel]]:
        """Plaza -> living cartels present there (slot order)."""
        out: dict[int, list[Cartel]] = defaultdict(list)
        for c in self.cartels:
            for q in c.present_plazas():
                out[q].append(c)
        return out

    def price_index(self) -> float:
        q = self.supply_mult
        if q == 1.0:
            return 1.0
        if q <= 0.0:
            return MAX_PRICE_INDEX
        return min(q ** (-1.0 / self.params.demand_elasticity), MAX_PRICE_INDEX)

    # ------------------------------------------------------------------ the week
    def step(self) -> None:
        """One week: the ten phases in plazasim's order (model/step.py)."""
        while (self._next_policy < len(self.timeline)
               and self.timeline[self._next_policy][0] <= self.week):
            self.policy = self.timeline[self._next_policy][1]
            self._next_policy += 1
            credibility = float(getattr(self.policy, "announcement", 0.0) or 0.0)
            if credibility > 0:
                self.announce(credibility)
        self.tally = defaultdict(float)
        self.market = [self.params.retail_usd_per_capita_year / 52.0 * pl.population_now(self.week)
                       for pl in self.plazas]
        self.supply_and_route()        # 1
        self.collect_revenue()         # 2
        self.cartels.do("pay_and_launder")  # 3
        self.recruit_and_attrit()      # 4
        self.decide()                  # 5
        killed_by, fights, disputed = self.fight()  # 6
        self.enforce(killed_by, fights, disputed)   # 7
        self.split_and_dissolve()      # 8
        self.learn()                   # 9
        self.record()                  # 10
        self.week += 1

    # 1 -------------------------------------------------------------------------
    def supply_and_route(self) -> None:
        p = self.params
        cartels = self.cartels
        entered = p.cocaine_tons_per_year / 52.0 * self.supply_mult * self.scale
        national = sum(c.total() for c in cartels)
        for c in cartels:
            c.received = {}
            c.toll_income = c.toll_paid = 0.0
        for e, share in zip(self.entries, self.entry_share, strict=True):
            landing = entered * share
            local = [(c, c.members.get(e, 0.0)) for c in cartels if c.present(e)]
            tot = sum(s for _, s in local)
            if tot > 0:
                for c, s in local:
                    c.received[e] = s / tot * landing
            else:
                for c in cartels:
                    nat = c.total() / national if national > 0 else 1.0 / len(cartels)
                    c.received[e] = nat * landing
        for c in cartels:
            c.stock += sum(c.received.values())
        for c in cartels:
            if c.routes_stale():
                c.plan_routes()
            c.replan = False

        seize = [min(p.base_seizure_per_plaza + p.seizure_per_heat * pl.heat,
                     MAX_SEIZURE_PER_PLAZA) for pl in self.plazas]
        for pl in self.plazas:
            pl.flow = 0.0
        price = self.price_index()
        allied_rate = p.allied_toll_km / max(p.piso_km, 1e-9)
        shipped_all = delivered_all = 0.0
        for c in cartels:
            rec_tot = sum(c.received.values())
            if rec_tot > 0:
                shares = {e: r / rec_tot for e, r in c.received.items()}
            else:  # ship from its strongest entry
                shares = {max(self.entries, key=lambda e, c=c: c.members.get(e, 0.0)): 1.0}
            shipped = arrived = 0.0
            fees: list[tuple[int, float]] = []
            for e in self.entries:
                path = c.routes.get(e)
                vol = c.stock * shares.get(e, 0.0)
                if not path or vol == 0.0:
                    continue
                shipped += vol
                for q in path:
                    pl = self.plazas[q]
                    pl.flow += vol
                    ctrl = pl.control
                    if ctrl != NONE and ctrl != c.slot:
                        r = c.rel(ctrl)
                        rate = 1.0 if r == NEUTRAL else allied_rate if r == ALLIED else 0.0
                        fees.append((ctrl, vol * rate * p.piso_usd_per_t * price))
                    vol *= 1.0 - seize[q]
                arrived += vol
            c.delivered = arrived * (1.0 - p.us_border_seizure)
            c.stock = max(c.stock - shipped, 0.0)
            owed = sum(f for _, f in fees)
            earned = c.delivered * p.border_margin_usd_per_t * price
            payable = earned / max(owed, 1e-300) if owed > earned else 1.0
            for ctrl, fee in fees:
                self.slots[ctrl].toll_income += fee * payable
                c.toll_paid += fee * payable
            shipped_all += shipped
            delivered_all += c.delivered
        self.tally["cocaine_entered_t"] = entered
        self.tally["cocaine_delivered_t"] = delivered_all
        self.tally["cocaine_seized_t"] = shipped_all - delivered_all

    # 2 -------------------------------------------------------------------------
    def collect_revenue(self) -> None:
        p = self.params
        cartels = self.cartels
        local = dict.fromkeys(cartels, 0.0)
        present_at = self.presence()
        for q in sorted(present_at):
            here = present_at[q]
            tot = sum(c.members[q] for c in here)
            for c in here:
                bonus = 1.0 + p.violent_extortion_bonus * (q in c.violent)
                local[c] += c.members[q] / tot * bonus * self.market[q]
        price = self.price_index()
        for c in cartels:
            export = c.delivered * p.border_margin_usd_per_t * price
            c.revenue = export + c.toll_income + local[c] - c.toll_paid
            self.tally["revenue_usd"] += c.revenue

    # 4 -------------------------------------------------------------------------
    def recruit_and_attrit(self) -> None:
        p = self.params
        cartels = self.cartels
        local: dict[int, float] = defaultdict(float)
        for c in cartels:
            for q, s in c.members.items():
                local[q] += s
        room = {q: min(max(1.0 - tot / max(p.youth_pool_share * self.plazas[q].youth, 1e-9),
                           0.0), 1.0) for q, tot in local.items()}
        national = sum(local.values())
        for c in cartels:
            members = c.total()
            want = {q: p.recruit_rate * s * room[q] for q, s in c.members.items()}
            cost = sum(want.values()) * p.recruit_cost_usd
            afford = min(max(max(c.cash, 0.0) / max(cost, 1e-12), 0.0), 1.0) if cost > 0 else 1.0
            recruits = {q: w * afford for q, w in want.items()}
            c.cash -= sum(recruits.values()) * p.recruit_cost_usd
            sat = min(max(p.saturation * members, 0.0), 0.5)
            leave_rate = min(max(sat + p.unpaid_desertion * c.unpaid, 0.0), 1.0)
            for q, s in c.members.items():
                routine = min(p.routine_arrests_per_week * self.scale * (s / max(national, 1e-12)),
                              0.5 * s)
                leave = (s - routine) * leave_rate
                c.members[q] = max(s + (recruits[q] - routine - leave), 0.0)

    # 5 -------------------------------------------------------------------------
    def decide(self) -> None:
        p = self.params
        cartels = self.cartels
        defenders: dict[int, float] = defaultdict(float)
        for c in cartels:
            resolve = 1.0 - p.cohesion_defence * (1.0 - c.cohesion)
            for q, s in c.members.items():
                ctrl = self.plazas[q].control
                if ctrl != NONE and c.rel(ctrl) == ALLIED:
                    defenders[q] += s * resolve
        toll = p.piso_usd_per_t * self.price_index()
        value = [self.market[q] + pl.flow * toll for q, pl in enumerate(self.plazas)]
        held = [value[q] for q, pl in enumerate(self.plazas) if pl.control != NONE]
        v_ref = max(sum(held) / len(held) if held else sum(value) / len(value), 1e-9)
        # All choose on the same pre-move map, then all move, then all pick postures.
        cartels.do("choose_attacks", defenders, value, v_ref)
        cartels.do("move_attackers")
        cartels.do("choose_postures", self.presence())

    # 6 -------------------------------------------------------------------------
    def fight(self) -> tuple[dict[tuple[int, int], float], set[tuple[int, int]], set[int]]:
        """Encounters, succession fights, executions, bystanders, then control."""
        p = self.params
        rng = self.rng
        cartels = self.cartels
        present_at = self.presence()
        before = {c: dict(c.members) for c in cartels}
        killed_by: dict[tuple[int, int], float] = defaultdict(float)
        deaths: dict[int, float] = defaultdict(float)
        g = p.contest_exponent
        lethality = p.lethality * self.lethality_mult
        disputed = set()
        for q in sorted(present_at):
            here = present_at[q]
            if not any(a.rel(b.slot) != ALLIED for a in here for b in here):
                continue
            disputed.add(q)
            s = {c: c.members[q] for c in here}
            mult = {c: p.violent_lethality_mult if q in c.violent else 1.0 for c in here}
            loss = dict.fromkeys(here, 0.0)
            kills = dict.fromkeys(here, 0.0)
            for a in here:
                for b in here:
                    if a is b or a.rel(b.slot) == ALLIED:
                        continue
                    pair = lethality * (s[a] * s[b] / max(s[a] + s[b], 1e-12)) * mult[a] * mult[b]
                    denom = s[a] ** g + s[b] ** g
                    a_loses = pair * (s[b] ** g / denom) if denom > 0 else 0.0
                    loss[a] += a_loses
                    kills[b] += a_loses
            drawn = {c: min(float(rng.poisson(loss[c])), math.floor(MAX_WEEKLY_LOSS * s[c]))
                     for c in here}
            expected = sum(loss.values())
            scale = sum(drawn.values()) / max(expected, 1e-12) if expected > 0 else 0.0
            for c in here:
                killed_by[c.slot, q] = kills[c] * scale
                c.members[q] = max(c.members[q] - drawn[c], 0.0)
                deaths[q] += drawn[c]
        fight_hit = {key for key, v in killed_by.items() if v > 0}
        if p.succession_lethality > 0 and any(c.cohesion < 1.0 for c in cartels):
            for c in cartels:
                weak = 1.0 - c.cohesion
                if weak <= 0:
                    continue
                for q, s0 in before[c].items():
                    if s0 < p.presence_threshold:
                        continue
                    s = c.members[q]
                    where = 1.0 if q == c.leader_plaza else p.succession_spread
                    lost = min(float(rng.poisson(p.succession_lethality * weak * s * where)),
                               math.floor(MAX_WEEKLY_LOSS * s))
                    c.members[q] = max(s - lost, 0.0)
                    killed_by[c.slot, q] += lost
                    deaths[q] += lost
        executions = 0.0
        for c in cartels:
            for q in sorted(c.violent):
                s0 = before[c].get(q, 0.0)
                if s0 >= p.presence_threshold:
                    n = float(rng.poisson(p.execution_rate * s0))
                    killed_by[c.slot, q] += n
                    executions += n
        bystanders = 0.0
        for q in sorted(deaths):
            bystanders += float(rng.poisson(
                p.bystander_ratio * deaths[q] * self.plazas[q].bystander_factor))
        fights: set[tuple[int, int]] = set()
        if disputed:
            for k, q in fight_hit:
                ctrl = self.plazas[q].control
                if ctrl != NONE and self.slots[k].rel(ctrl) != ALLIED:
                    fights.add((k, q))
            for q in {q for _, q in fight_hit}:
                ctrl = self.plazas[q].control
                if ctrl != NONE and (ctrl, q) in fight_hit:
                    for c in cartels:
                        if c.present(q) and c.rel(ctrl) != ALLIED:
                            fights.add((c.slot, q))
        self.update_control()
        self.tally["homicides_cartel"] = sum(deaths.values()) + executions
        self.tally["homicides_bystander"] = bystanders
        self.tally["plazas_disputed"] = len(disputed)
        return killed_by, fights, disputed

    def update_control(self) -> None:
        """Tullock contest held ``hold_weeks`` weeks; arrival and first-violence bookkeeping."""
        p = self.params
        present_at = self.presence()
        for q, pl in enumerate(self.plazas):
            here = present_at.get(q, [])
            leader, best, total = 0, 0.0, 0.0
            for c in here:
                sg = c.members[q] ** p.contest_exponent
                total += sg
                if sg > best:
                    leader, best = c.slot, sg
            share = best / total if total > 0 else 0.0
            dominant = share >= p.dominance_share
            if dominant and leader != pl.control:
                pl.challenger_weeks = pl.challenger_weeks + 1 if leader == pl.contest_leader else 1
            else:
                pl.challenger_weeks = 0
            pl.contest_leader = leader if dominant else NONE
            takeover = pl.challenger_weeks >= p.hold_weeks
            held = pl.control != NONE
            abandoned = held and not self.slots[pl.control].present(q)
            if takeover or abandoned or (not held and here):
                pl.control = leader if here else NONE
            if takeover:
                pl.challenger_weeks = 0
        for c in self.cartels:
            present = set(c.present_plazas())
            c.arrival = {q: w for q, w in c.arrival.items() if q in present}
            c.first_violence = {q: w for q, w in c.first_violence.items() if q in present}
            for q in present:
                c.arrival.setdefault(q, self.week)
                if q in c.violent:
                    c.first_violence.setdefault(q, self.week)

    # 7 -------------------------------------------------------------------------
    def observe(self, killed_by: dict[tuple[int, int], float], fights: set[tuple[int, int]],
                disputed: set[int]) -> Observation:
        """Build the policy's Observation from the agents (as ``enforcement.observe`` does)."""
        p = self.params
        k_slots, n = self.n_slots, len(self.plazas)
        present = np.zeros((k_slots, n), dtype=bool)
        estimate = np.zeros((k_slots, n))
        violence = np.zeros((k_slots, n))
        arrival = np.full((k_slots, n), -1, dtype=np.int64)
        first = np.full((k_slots, n), -1, dtype=np.int64)
        alive = np.zeros(k_slots, dtype=bool)
        relation = np.zeros((k_slots, k_slots), dtype=np.int8)
        np.fill_diagonal(relation, ALLIED)
        total: dict[int, float] = defaultdict(float)
        for (_, q), v in killed_by.items():
            total[q] += v
        present_at = self.presence()
        noise = p.attribution_noise
        for c in self.slots:
            for j, r in c.relation.items():
                relation[c.slot, j] = r
            if not c.alive:
                continue
            alive[c.slot] = True
            for q, s in c.members.items():
                estimate[c.slot, q] = s  # what the state does not see, it takes at face value
            for q in c.present_plazas():  # lognormal noise on the presences it sees
                estimate[c.slot, q] *= math.exp(0.2 * float(self.rng.standard_normal()))
                present[c.slot, q] = True
                own = killed_by.get((c.slot, q), 0.0)
                others = max(len(present_at[q]) - 1, 1)
                violence[c.slot, q] = (1.0 - noise) * own + noise * (total[q] - own) / others
            for q, w in c.arrival.items():
                arrival[c.slot, q] = w
            for q, w in c.first_violence.items():
                first[c.slot, q] = w
        fought = np.zeros((k_slots, n), dtype=bool)
        for k, q in fights:
            fought[k, q] = True
        violence_total = np.zeros(n)
        for q, v in total.items():
            violence_total[q] = v
        names = [c.name for c in self.slots] + [""] * (k_slots - len(self.slots))
        signal = np.array([pl.signal for pl in self.plazas], dtype=np.int64)
        control = np.array([pl.control for pl in self.plazas], dtype=np.int64)
        capacity = math.floor(p.capacity_ops_per_week * self.capacity_mult * self.scale
                                  + self.rng.random())
        return Observation(
            week=self.week, alive=alive, names=tuple(names), present=present,
            strength_estimate=estimate, controller=np.where(signal != NONE, signal, control),
            disputed=np.array([q in disputed for q in range(n)]),
            violence=violence, violence_total=violence_total, fights_with_controller=fought,
            arrival_week=arrival, first_violence_week=first, relation=relation,
            protected=np.array([c.protected for c in self.slots]
                               + [False] * (k_slots - len(self.slots))),
            signal=signal, members=estimate.sum(axis=1), capacity=capacity,
            population=self.world.population,
        )

    def enforce(self, killed_by: dict[tuple[int, int], float], fights: set[tuple[int, int]],
                disputed: set[int]) -> None:
        """The policy orders operations; leaks, arrests, takedowns, kingpin ops, clashes, heat."""
        p = self.params
        rng = self.rng
        obs = self.observe(killed_by, fights, disputed)
        ops = self.policy.decide(obs, rng)
        orders = list(zip(ops.plaza, ops.cartel, ops.kind, ops.intensity, strict=True))
        if getattr(self.policy, "enforces", True):  # back US signals (events only)
            backed = [(q, c.slot, OP_TAKEDOWN, 1.0) for q, pl in enumerate(self.plazas)
                      if pl.signal != NONE for c in self.cartels
                      if c.present(q) and c.slot != pl.signal
                      and c.rel(pl.signal) != ALLIED and not c.protected]
            orders = backed + [o for o in orders if self.plazas[o[0]].signal != o[1]]
        n, k_slots = len(self.plazas), self.n_slots
        orders = [o for o in orders if 0 <= o[0] < n and 0 <= o[1] < k_slots]
        orders = [o for o in orders if o[1] < len(self.slots) and self.slots[o[1]].alive
                  and not self.slots[o[1]].protected and o[2] > 0 and o[3] > 0]
        orders = orders[:max(obs.capacity, 0)]
        removed: dict[tuple[int, int], float] = defaultdict(float)
        network: dict[int, float] = defaultdict(float)
        kingpins: dict[int, int] = defaultdict(int)
        for q, k, kind, intensity in orders:
            c = self.slots[k]
            leaked = rng.random() < c.infiltration
            effect = intensity * ((1.0 - p.leak_effect) if leaked else 1.0)
            frac = (p.arrest_share if kind == OP_ARRESTS else
                    p.takedown_share if kind == OP_TAKEDOWN else 0.0)
            removed[k, q] += c.members.get(q, 0.0) * min(max(frac * effect, 0.0), 1.0)
            if kind == OP_TAKEDOWN:
                share = min(p.takedown_neighbour_share * effect, 1.0)
                for r in self.plazas[q].neighbours:
                    removed[k, r] += c.members.get(r, 0.0) * share
                network[k] += (c.members.get(q, 0.0) / max(c.total(), 1e-12)
                               * p.seize_cash_share * effect)
            elif kind == OP_KINGPIN and rng.random() < min(max(p.kingpin_success * effect, 0.0),
                                                           1.0):
                kingpins[k] += 1
                c.leader_plaza = q
        clash: dict[int, float] = defaultdict(float)
        taken: dict[int, float] = defaultdict(float)
        for (k, q), v in removed.items():
            c = self.slots[k]
            v = removed[k, q] = min(v, c.members.get(q, 0.0))
            mult = p.state_clash_violent_mult if q in c.violent else 1.0
            clash[q] += v * mult * p.state_clash_deaths
            taken[q] += v
        state_deaths = 0.0
        for q in sorted(clash):
            state_deaths += min(float(rng.poisson(clash[q])), math.floor(taken[q]))
        for k, hits in kingpins.items():
            c = self.slots[k]
            c.cohesion = min(max(c.cohesion - p.kingpin_cohesion_loss * hits, 0.0), 1.0)
        for (k, q), v in removed.items():
            c = self.slots[k]
            if q in c.members:
                c.members[q] = max(c.members[q] - v, 0.0)
        for k, share in network.items():
            c = self.slots[k]
            c.cash -= min(share, 1.0) * max(c.cash, 0.0)
        for c in self.slots:
            c.punished = set()
        for pl in self.plazas:
            pl.heat *= p.heat_decay
        for q, k, _, intensity in orders:
            self.slots[k].punished.add(q)
            self.plazas[q].heat += p.heat_per_op * intensity
        self.tally["homicides_state"] = state_deaths
        self.tally["operations"] = len(orders)

    # 8 -------------------------------------------------------------------------
    def split_and_dissolve(self) -> None:
        p = self.params
        for c in list(self.cartels):  # a snapshot: new factions do not split this week
            draw = self.rng.random()
            if draw < p.split_rate * (1.0 - c.cohesion) and c.total() >= 4 * p.presence_threshold:
                if len(self.slots) >= self.n_slots:
                    break  # no free slot
                self.split(c)
        for c in self.cartels:
            c.cohesion = min(c.cohesion + p.cohesion_recovery, 1.0)
        for c in list(self.cartels):
            if c.total() < 2 * p.presence_threshold:
                c.alive = False
                c.cohesion = 0.0
                c.members = {}
                c.arrival, c.first_violence = {}, {}
                for pl in self.plazas:
                    if pl.control == c.slot:
                        pl.control = NONE
                    if pl.signal == c.slot:
                        pl.signal = NONE
                c.remove()

    def split(self, parent: Cartel) -> Cartel:
        """Splinter on one side of a random line through the parent's centre (Calderón 2015)."""
        p = self.params
        base = parent.name
        n_before = sum(1 for c in self.slots if c.name.startswith(base + " faction"))
        new = Cartel(self, len(self.slots), f"{base} faction {n_before + 1}", parent.slot)
        self.slots.append(new)
        new.belief, new.belief_discreet = parent.belief, parent.belief_discreet
        new.counts = list(parent.counts)
        held = sorted(q for q, s in parent.members.items() if s > 0)
        w = np.array([parent.members[q] for q in held])
        lon = np.array([self.plazas[q].lon for q in held])
        lat = np.array([self.plazas[q].lat for q in held])
        cx, cy = np.average(lon, weights=w), np.average(lat, weights=w)
        angle = self.rng.uniform(0.0, 2.0 * np.pi)
        proj = (lon - cx) * np.cos(angle) + (lat - cy) * np.sin(angle)
        order = np.argsort(-proj, kind="stable")
        cum = np.cumsum(w[order]) / w.sum()
        take = [held[i] for i in order[: max(1, int(np.searchsorted(cum, p.split_share)) + 1)]]
        moved_share = sum(parent.members[q] for q in take) / max(parent.total(), 1e-12)
        for q in take:
            new.members[q] = parent.members.pop(q)
            new.arrival[q] = self.week
            parent.arrival.pop(q, None)
            parent.first_violence.pop(q, None)
            if self.plazas[q].control == parent.slot:
                self.plazas[q].control = new.slot
        new.cash, new.stock = parent.cash * moved_share, parent.stock * moved_share
        parent.cash -= new.cash
        parent.stock -= new.stock
        rivals = [parent.slot] + [k for k, r in parent.relation.items() if r == RIVAL]
        for k in rivals:
            new.relation[k] = RIVAL
            self.slots[k].relation[new.slot] = RIVAL
        parent.cohesion, new.cohesion = 0.5, 0.8
        parent.replan = True  # its paths now cross a rival's plazas; ``new`` plans anew
        return new

    # 9 -------------------------------------------------------------------------
    def learn(self) -> None:
        """Discounted Beta beliefs that violence / discretion is punished (Magliocca 2019)."""
        p = self.params
        cartels = self.cartels
        own = {}
        for c in cartels:
            v_pun = v_all = d_pun = d_all = 0
            for q in c.present_plazas():
                if q in c.violent:
                    v_all += 1
                    v_pun += q in c.punished
                else:
                    d_all += 1
                    d_pun += q in c.punished
            own[c] = (v_pun, v_all, d_pun, d_all)
        everyone = [sum(o[i] for o in own.values()) for i in range(4)]
        a, b = p.belief_alpha, p.belief_beta
        for c in self.slots:
            seen = ([o + p.social_learning * (e - o) for o, e in zip(own[c], everyone, strict=True)]
                    if c.alive else [0.0] * 4)
            c.counts = [x * p.belief_discount + s for x, s in zip(c.counts, seen, strict=True)]
            c.belief = (c.counts[0] + a) / (c.counts[1] + a + b)
            c.belief_discreet = (c.counts[2] + a) / (c.counts[3] + a + b)

    def announce(self, credibility: float) -> None:
        """A policy announced when it comes into force shifts beliefs at once (Lessing 2017)."""
        p = self.params
        a, b = p.belief_alpha, p.belief_beta
        for c in self.slots:
            if c.alive:
                extra = credibility * max(c.counts[1], c.counts[3], a + b)
                c.counts[0] += extra
                c.counts[1] += extra
                c.counts[3] += extra
            c.belief = (c.counts[0] + a) / (c.counts[1] + a + b)
            c.belief_discreet = (c.counts[2] + a) / (c.counts[3] + a + b)

    # 10 ------------------------------------------------------------------------
    def record(self) -> None:
        """Baseline homicides (INEGI rates), then the national row."""
        p = self.params
        trend = math.exp(p.baseline_trend_per_year * (self.week / 52.0))
        baseline = 0.0
        for pl in self.plazas:
            rate = pl.baseline_rate * p.baseline_scale * trend
            baseline += float(self.rng.poisson(rate * pl.population_now(self.week) / 1e5 / 52.0))
        t = self.tally
        t["homicides_baseline"] = baseline
        t["homicides_total"] = (t["homicides_cartel"] + t["homicides_state"]
                                + t["homicides_bystander"] + baseline)
        t["cocaine_stock_t"] = sum(c.stock for c in self.slots)
        t["members"] = sum(c.total() for c in self.slots)
        t["active_cartels"] = len(self.cartels)
        self.datacollector.collect(self)


def run_mesa(world: World, params: Parameters, *, start: dt.date, n_weeks: int,
             policies: Sequence[tuple[int, Policy]], seed: int,
             debug_rng: MeanDraws | None = None) -> pd.DataFrame:
    """Run the Mesa model for ``n_weeks`` weeks; one row per week (national series)."""
    model = DrugWarModel(world, params, policies, seed, debug_rng=debug_rng)
    for _ in range(n_weeks):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    frame["active_cartels"] = frame["active_cartels"].astype(np.int64)
    frame.insert(0, "date", pd.to_datetime(week_dates(start, n_weeks)))
    return frame


def bench_scenario() -> Scenario:
    """``mexico-2006`` without its ``[[events]]`` (policy timeline kept)."""
    return load_scenario("mexico-2006").model_copy(update={"events": []})


def bench_policies(scenario: Scenario | None = None) -> list[tuple[int, Policy]]:
    """Fresh policy instances of the bench scenario's timeline, as ``[(first week, policy)]``.

    ``laissez_faire`` from week 0, ``signaling`` (``wait_weeks = 4``) from 2006-12-11.
    Call it once per run: a policy may keep memory between weeks.
    """
    return resolve_policies(bench_scenario() if scenario is None else scenario)
