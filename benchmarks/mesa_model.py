"""The plazasim rules written the ordinary Mesa 3 way: the comparison a user would otherwise build.

This is a second implementation of the same model (docs/MODEL.md; the phase
modules of ``src/plazasim/model/``) used only as a benchmark baseline. It keeps
plazasim's formulas, parameters (:class:`plazasim.model.params.Parameters`),
world and policy objects, and swaps the array representation for agents:

* one :class:`Cartel` (a ``mesa.Agent``) per cartel, holding its cash, stock,
  cohesion, fracture, beliefs, relations (``{slot: RIVAL | NEUTRAL | ALLIED}``),
  the set of cartels it is in an open war with, its standing orders (plazas to
  take) and two ``dict`` plaza -> members: all its members and those of them
  committed to a war (fighters); a split adds a new agent, a dissolved cartel
  is removed from the model;
* one :class:`Plaza` (a ``mesa.discrete_space.FixedAgent``) per municipality,
  fixed to its cell of a ``mesa.discrete_space.Network`` built over a networkx
  graph of the world's links, holding control, the contest, heat, the truce,
  how weakened its incumbent is, and flow;
* ``model.step()`` runs the phases in plazasim's order (``model/step.py``: 1-5,
  the war phase 5b, 6-10) with per-agent and per-plaza Python loops; routing is
  one ``nx.single_source_dijkstra`` per cartel from a virtual sink behind the US
  crossings, with a weight function that prices heat and tolls, re-planned when
  plazasim's rule says so (``routing.stale_cartels``: no plan yet at once; on
  review weeks, relations changed, an old plan or a plan that became materially
  dearer);
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

Scenario events: only the two that start wars, ``rivalry``/``alliance``
(``plazasim.events.RelationEvent``) and ``incursion`` (``IncursionEvent``),
are carried out (:meth:`DrugWarModel.apply_event`), so that the fixed-draw test
can open wars and fronts on a synthetic world. The others (US signals, deals,
captures, splits, military operations, shocks) are out of scope: their state
(``signal``, ``protected``, multipliers) exists at its neutral value so the
formulas keep their shape. The comparison scenario is :func:`bench_scenario`:
``mexico-2006`` without its ``[[events]]``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import mesa
import networkx as nx
import numpy as np
import pandas as pd
from mesa.discrete_space import FixedAgent, Network

from plazasim.events import IncursionEvent, RelationEvent
from plazasim.experiments.simulate import resolve_policies
from plazasim.model.context import build_context
from plazasim.model.engine import Event, week_dates
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
    "homicides_total",
    "homicides_cartel",
    "homicides_state",
    "homicides_bystander",
    "homicides_baseline",
    "cocaine_entered_t",
    "cocaine_delivered_t",
    "cocaine_seized_t",
    "cocaine_stock_t",
    "revenue_usd",
    "laundered_usd",
    "members",
    "members_deployed",
    "active_cartels",
    "operations",
    "plazas_disputed",
    "front_cells",
)
INTEGER_COLUMNS = ("active_cartels", "operations", "plazas_disputed", "front_cells")


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
        self.crossing_weight = float(world.crossing_weight[i])
        self.baseline_rate = float(world.baseline_rate[i])
        self.lon, self.lat = float(world.lon[i]), float(world.lat[i])
        self.bystander_factor = bystander
        self.neighbours = sorted(int(k) for k in cell.connections)
        self.inv_deg = 1.0 / max(len(self.neighbours), 1)
        self.control = NONE
        self.contest_leader = NONE
        self.challenger_weeks = 0
        self.heat = 0.0
        self.truce = True  # the peace of the start holds (pax mafiosa)
        self.weakened = 0.0  # share of the incumbent's members the state removed recently
        self.disorder = 0.0  # recent cartel-related killings, persons/week (spill-over)
        self.signal = NONE  # US signal (events only)
        self.flow = 0.0

    def population_now(self, week: int) -> float:
        """Residents in week ``week`` (CONAPO growth rate)."""
        return self.population * math.exp(self.growth * (week / 52.0))


@dataclass
class Front:
    """One front of one cartel this week (phase 5b): a plaza it fights or has orders to take."""

    cartel: Cartel
    plaza: int
    members: float  # the cartel's members there
    enemy: float  # strongest rival's fighters (members, under orders), by its resolve
    rival: float  # strongest rival's members, by its resolve (the control contest)
    present: bool
    fighting: float = 0.0
    armed: float = 0.0
    lacking: float = 0.0
    worth: float = 0.0
    weight: float = 0.0
    hopeless: bool = False
    sent: float = 0.0
    ask: float = 0.0


class Cartel(mesa.Agent):
    """One cartel: money, drugs, beliefs, relations, wars, and members and fighters per plaza."""

    def __init__(self, model: DrugWarModel, slot: int, name: str, parent: int = NONE) -> None:
        super().__init__(model)
        p = model.params
        self.slot, self.name, self.parent = slot, name, parent
        self.alive = True
        self.members: dict[int, float] = {}
        self.fighters: dict[int, float] = {}  # members committed to a war, per plaza
        self.cash = 0.0
        self.stock = 0.0
        self.cohesion = 1.0
        self.fracture = 0.0  # pressure to split left by the policy's kingpin operations
        self.relation: dict[int, int] = {}
        self.war: set[int] = set()  # slots it is in an open war with
        self.orders: set[int] = set()  # plazas it has standing orders to take
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
        self.replan = False  # relations changed: re-plan at the next review week
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

    def stronghold(self) -> int:
        """The plaza with the most members (the lowest index on ties)."""
        best_q, best = 0, self.members.get(0, 0.0)
        for q in sorted(self.members):
            if self.members[q] > best:
                best_q, best = q, self.members[q]
        return best_q

    def fighters_at_most_members(self) -> None:
        """Losses fall on the garrison first: fighters never outnumber members."""
        for q, f in self.fighters.items():
            self.fighters[q] = min(f, self.members.get(q, 0.0))

    def make_rival(self, other: Cartel, war: bool) -> None:
        """Both become rivals (at war if ``war``) and re-plan their routes at the next review."""
        self.relation[other.slot] = other.relation[self.slot] = RIVAL
        if war:
            self.war.add(other.slot)
            other.war.add(self.slot)
        self.replan = other.replan = True

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
        """Plan at once when there is no plan; on review weeks (every ``route_update_weeks``
        weeks of the run), re-plan when relations changed since the last review, when the
        plan is old or, for plans at least ``route_update_weeks`` old, materially dearer
        than planned.
        """
        if self.routes is None:
            return True
        p, week = self.model.params, self.model.week
        if week % p.route_update_weeks:
            return False  # plans are only reviewed on review weeks
        if self.replan:
            return True
        age = week - self.planned_week
        if age >= p.route_max_age_weeks:
            return True
        if age < p.route_update_weeks or not self.routes:
            return False
        now = sum(self.path_cost(path) for path in self.routes.values())
        return now > self.planned_cost * (1.0 + p.route_cost_tolerance) + 1e-6

    # ---------------------------------------------------------------- 3. money
    def pay_and_launder(self) -> None:
        """Wages first; then laundering of the proceeds (revenue less wages); then bribes."""
        p = self.model.params
        m = self.model
        rev = self.revenue
        self.cash += rev
        due = self.total() * p.wage_usd_per_member_year / 52.0
        wages = min(max(self.cash, 0.0), due)
        self.cash -= wages
        unpaid = 1.0 - wages / max(due, 1e-12) if due > 0 else 0.0
        self.unpaid = min(max(unpaid, 0.0), 1.0)
        positive = max(rev, 0.0)
        proceeds = max(rev - wages, 0.0)
        outflow = min(max(self.cash, 0.0), p.launder_share * proceeds)
        intercepted = outflow * p.intercept_share
        self.cash -= outflow
        bribes = min(max(self.cash, 0.0), p.bribe_share * positive)
        self.cash -= bribes
        self.infiltration = 1.0 - math.exp(-bribes / p.bribe_scale_usd_per_week)
        m.tally["laundered_usd"] += outflow - intercepted

    # ---------------------------------------------------------------- 5. decisions
    def choose_attacks(self, defenders: dict[int, float], value: list[float], v_ref: float) -> None:
        """Logit choice of plazas to attack next door (Lessing 2015/2017)."""
        m, p = self.model, self.model.params
        thr = p.presence_threshold
        nb: dict[int, float] = defaultdict(float)
        for q in sorted(self.members):
            s = self.members[q]
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
            at_war = ctrl != NONE and ctrl in self.war
            u = (
                p.attack_bias
                + math.log1p(value[r] / v_ref) * p_win
                - p.attack_cost * dfd / (att + dfd)
                + p.opportunism * pl.weakened
                + p.rival_attack_bonus * at_war
                - p.punishment_weight * net * (ctrl != NONE)
                - p.punishment_weight * p.signal_credibility * sig
            )
            if m.rng.random() < _sigmoid(u / p.logit_temperature):
                self.attacks.append(r)

    def declare_wars(self) -> None:
        """Attacking a plaza held by a neutral cartel makes the two rivals (a cold rivalry)."""
        for r in self.attacks:
            ctrl = self.model.plazas[r].control
            if ctrl != NONE and ctrl != self.slot and self.rel(ctrl) == NEUTRAL:
                self.make_rival(self.model.slots[ctrl], war=False)

    def move_attackers(self) -> None:
        """Send ``attack_share / degree`` of the members next door into each attacked plaza.

        The attackers arrive as fighters; the plazas they left keep fewer members.
        """
        m, p = self.model, self.model.params
        out: dict[int, float] = defaultdict(float)
        for r in self.attacks:
            for q in m.plazas[r].neighbours:
                out[q] += m.plazas[q].inv_deg
        new = dict(self.members)
        inflow = {r: self.neighbour[r] for r in self.attacks}
        for q in set(out) | set(inflow):
            s = self.members.get(q, 0.0)
            frac = min(out.get(q, 0.0) * p.attack_share, 1.0)
            new[q] = max(s + inflow.get(q, 0.0) - s * frac, 0.0)
        self.members = new
        self.fighters_at_most_members()
        for r in self.attacks:
            self.fighters[r] = min(
                self.fighters.get(r, 0.0) + self.neighbour[r], self.members.get(r, 0.0)
            )

    def choose_postures(self, present_at: dict[int, list[Cartel]]) -> None:
        """Violent or discreet in each plaza where the cartel is present.

        Violence pays more "at war": facing a rival it is in an open war with, or any
        rival once the plaza's truce has broken.
        """
        m, p = self.model, self.model.params
        net = max(self.belief - self.belief_discreet, 0.0)
        self.violent = set()
        for q in self.present_plazas():
            others = [o for o in present_at[q] if o is not self]
            facing_rival = any(self.rel(o.slot) == RIVAL for o in others)
            hot = any(o.slot in self.war for o in others)
            at_war = facing_rival and (not m.plazas[q].truce or hot)
            sig = m.plazas[q].signal
            sig_on = sig != NONE and self.rel(sig) != ALLIED
            u = (
                p.violence_bias
                + p.violence_gain * (1.0 + at_war)
                - p.punishment_weight * net
                - p.punishment_weight * p.signal_credibility * sig_on
            )
            if m.rng.random() < _sigmoid(u / p.logit_temperature):
                self.violent.add(q)


class DrugWarModel(mesa.Model):
    """plazasim's weekly step as a Mesa model (see the module docstring)."""

    def __init__(
        self,
        world: World,
        params: Parameters,
        policies: Sequence[tuple[int, Policy]],
        seed: int,
        *,
        events: Sequence[tuple[int, Event]] = (),
        debug_rng: MeanDraws | None = None,
    ) -> None:
        super().__init__(rng=seed)
        if debug_rng is not None:
            self.rng = debug_rng
        self.world, self.params = world, params
        self.week = 0
        self.timeline = sorted(policies, key=lambda item: item[0])
        self.policy: Policy = make_policy("laissez_faire")
        self._next_policy = 0
        self.events: dict[int, list[Event]] = defaultdict(list)
        for week, event in events:
            self.events[week].append(event)
        self.supply_mult = self.capacity_mult = self.lethality_mult = 1.0  # events only
        # Setup (not the hot path): world-derived constants and the week-0 state.
        ctx = build_context(world, params)
        state0 = initial_state(world, params)
        self.scale = ctx.scale
        self.n_slots = state0.n_slots
        self.entries = [int(e) for e in ctx.entries]
        self.entry_share = [float(x) for x in ctx.entry_tons_share]
        self.crossing_cost = {
            int(c): float(x) for c, x in zip(ctx.crossings, ctx.crossing_cost, strict=True)
        }
        graph = nx.Graph()
        graph.add_nodes_from(range(world.n_plazas))
        for u, v, km in zip(
            world.edge_src.tolist(), world.edge_dst.tolist(), world.edge_km.tolist(), strict=True
        ):
            graph.add_edge(u, v, km=km)
        self.grid = Network(graph, random=self.random)
        self.plazas = [
            Plaza(self, self.grid[i], world, float(ctx.bystander_factor[i]))
            for i in range(world.n_plazas)
        ]
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
            model_reporters={name: (lambda m, n=name: m.tally[n]) for name in COLUMNS}
        )

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

    def living(self, name: str) -> Cartel | None:
        """The living cartel called ``name`` (case-insensitive), if any."""
        key = name.casefold()
        return next((c for c in self.cartels if c.name.casefold() == key), None)

    def apply_event(self, event: Event) -> None:
        """Carry out a scenario event that starts a war (see the module docstring)."""
        if isinstance(event, RelationEvent):
            a, b = self.living(event.cartel), self.living(event.other)
            if a is None or b is None:
                return
            a.relation[b.slot] = b.relation[a.slot] = event.relation
            if event.relation == RIVAL:  # a rivalry opens a war; any other relation ends it
                a.war.add(b.slot)
                b.war.add(a.slot)
            else:
                a.war.discard(b.slot)
                b.war.discard(a.slot)
            a.replan = b.replan = True
        elif isinstance(event, IncursionEvent):
            c = self.living(event.cartel)
            if c is None:
                return
            plazas = [int(q) for q in event.plazas]
            c.orders.update(plazas)
            holders = {self.plazas[q].control for q in plazas} - {NONE, c.slot}
            for j in sorted(holders):
                if c.rel(j) != ALLIED:  # a war on whoever holds the plazas, unless allies
                    c.make_rival(self.slots[j], war=True)
        else:
            raise NotImplementedError(f"the Mesa model does not carry out {type(event).__name__}")

    # ------------------------------------------------------------------ the week
    def step(self) -> None:
        """One week: the phases in plazasim's order (model/step.py)."""
        while (
            self._next_policy < len(self.timeline)
            and self.timeline[self._next_policy][0] <= self.week
        ):
            self.policy = self.timeline[self._next_policy][1]
            self._next_policy += 1
            credibility = float(self.policy.announcement)
            if credibility > 0:
                self.announce(credibility)
        for event in self.events.get(self.week, ()):
            self.apply_event(event)
        self.tally = defaultdict(float)
        # This week's cartel-related killings by plaza (fighting, executions, bystanders,
        # clashes with the state), which feed each plaza's disorder (phase 10).
        self.related: dict[int, float] = defaultdict(float)
        self.market = [
            self.params.retail_usd_per_capita_year / 52.0 * pl.population_now(self.week)
            for pl in self.plazas
        ]
        self.supply_and_route()  # 1
        self.collect_revenue()  # 2
        self.cartels.do("pay_and_launder")  # 3
        self.recruit_and_attrit()  # 4
        value = self.plaza_value()
        self.decide(value)  # 5
        self.commit_forces(value)  # 5b
        killed_by, fights, disputed = self.fight()  # 6
        self.enforce(killed_by, fights, disputed)  # 7
        self.split_and_dissolve()  # 8
        self.learn()  # 9
        self.record()  # 10
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
        if self.week % p.route_update_weeks == 0:  # reviewed: new relations are in the plans
            for c in self.slots:
                c.replan = False

        seize = [
            min(p.base_seizure_per_plaza + p.seizure_per_heat * pl.heat, MAX_SEIZURE_PER_PLAZA)
            for pl in self.plazas
        ]
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
        room = {
            q: min(max(1.0 - tot / max(p.youth_pool_share * self.plazas[q].youth, 1e-9), 0.0), 1.0)
            for q, tot in local.items()
        }
        national = sum(local.values())
        for c in cartels:
            members = c.total()
            want = {q: p.recruit_rate * s * room[q] for q, s in c.members.items()}
            cost = sum(want.values()) * p.recruit_cost_usd
            afford = min(max(max(c.cash, 0.0) / max(cost, 1e-12), 0.0), 1.0) if cost > 0 else 1.0
            recruits = {q: w * afford for q, w in want.items()}
            c.cash -= sum(recruits.values()) * p.recruit_cost_usd
            sat = min(max(p.saturation * min(members, p.saturation_group_size), 0.0), 0.5)
            leave_rate = min(max(sat + p.unpaid_desertion * c.unpaid, 0.0), 1.0)
            for q, s in c.members.items():
                routine = min(
                    p.routine_arrests_per_week * self.scale * (s / max(national, 1e-12)), 0.5 * s
                )
                leave = (s - routine) * leave_rate
                c.members[q] = max(s + (recruits[q] - routine - leave), 0.0)
            c.fighters_at_most_members()

    # 5 -------------------------------------------------------------------------
    def plaza_value(self) -> list[float]:
        """Weekly value of holding each plaza (USD/week): local market, the piso on the flow
        through it and, at a crossing, the piso on its share of all the cocaine that crosses."""
        toll = self.params.piso_usd_per_t * self.price_index()
        crossing = sum(self.plazas[c].flow for c in self.crossing_cost)
        return [
            self.market[q] + (pl.flow + pl.crossing_weight * crossing) * toll
            for q, pl in enumerate(self.plazas)
        ]

    def value_ref(self, value: list[float]) -> float:
        """Mean value of the held plazas (of all plazas if none is held)."""
        held = [value[q] for q, pl in enumerate(self.plazas) if pl.control != NONE]
        return max(sum(held) / len(held) if held else sum(value) / len(value), 1e-9)

    def decide(self, value: list[float]) -> None:
        p = self.params
        cartels = self.cartels
        defenders: dict[int, float] = defaultdict(float)
        for c in cartels:
            resolve = 1.0 - p.cohesion_defence * (1.0 - c.cohesion)
            for q, s in c.members.items():
                ctrl = self.plazas[q].control
                if ctrl != NONE and c.rel(ctrl) == ALLIED:
                    defenders[q] += s * resolve
        # All choose on the same pre-move map, declare their wars, then all move, then
        # all pick postures.
        cartels.do("choose_attacks", defenders, value, self.value_ref(value))
        cartels.do("declare_wars")
        cartels.do("move_attackers")
        cartels.do("choose_postures", self.presence())

    # 5b ------------------------------------------------------------------------
    def commit_forces(self, value: list[float]) -> None:
        """Fronts, and the fighters armed, sent and hired there; lost fronts given up.

        A front is a plaza where the cartel meets a rival it fights (in an open war, or
        anywhere once the plaza's truce broke), or a plaza it has orders to take.
        """
        p = self.params
        thr, gamma = p.presence_threshold, p.contest_exponent
        cartels = list(self.cartels)
        present_at = self.presence()
        resolve = {c.slot: 1.0 - p.cohesion_defence * (1.0 - c.cohesion) for c in cartels}
        # Each present cell: does it face a rival, and how strong is the strongest one?
        facing: dict[tuple[Cartel, int], bool] = {}
        threat: dict[tuple[Cartel, int], float] = {}
        contest: dict[tuple[Cartel, int], float] = {}
        for c in cartels:
            for q in c.present_plazas():
                rivals = [o for o in present_at[q] if c.rel(o.slot) == RIVAL]
                facing[c, q] = bool(rivals)
                threat[c, q] = contest[c, q] = 0.0
                for o in rivals:
                    seen = o.members[q] if q in c.orders else o.fighters.get(q, 0.0)
                    threat[c, q] = max(threat[c, q], seen * resolve[o.slot])
                    contest[c, q] = max(contest[c, q], o.members[q] * resolve[o.slot])
        self.break_truces(cartels, facing)
        fronts: list[Front] = []
        for (c, q), faces in facing.items():
            truce = self.plazas[q].truce
            fought = any(
                c.rel(o.slot) == RIVAL and (o.slot in c.war or not truce) for o in present_at[q]
            )
            if fought or (faces and q in c.orders):
                fronts.append(Front(c, q, c.members[q], threat[c, q], contest[c, q], True))
            else:
                c.fighters.pop(q, None)  # fighters stand down away from the fronts
        contenders = Counter(fr.plaza for fr in fronts)
        for c in cartels:  # standing orders: carried out, or fronts where it is not yet
            for q in sorted(c.orders):
                if self.plazas[q].control == c.slot:
                    c.orders.discard(q)
                elif not c.present(q):
                    enemy = max(
                        [0.0]
                        + [
                            o.members[q] * resolve[o.slot]
                            for o in present_at.get(q, ())
                            if c.rel(o.slot) == RIVAL
                        ]
                    )
                    fronts.append(Front(c, q, c.members.get(q, 0.0), enemy, enemy, False))
            for q in [q for q in c.fighters if not c.present(q) and q not in c.orders]:
                del c.fighters[q]  # the few left below presence, with no order keeping them

        # Target per front: outnumber the enemy by commit_ratio, up to what the plaza is worth.
        wage = p.wage_usd_per_member_year / 52.0
        strongholds = {c: c.stronghold() for c in cartels}
        for fr in fronts:
            c, q = fr.cartel, fr.plaza
            fr.fighting = c.fighters.get(q, 0.0)
            floor = 0.0 if fr.present else 2.0 * thr
            n = float(max(contenders[q], 2))
            prize = p.war_spending_share * value[q] / wage
            if strongholds[c] == q or q in c.orders:
                cap = max(prize, floor)
            else:
                cap = max(prize * (n - 1.0) / n**2, floor)
            fr.armed = min(
                p.mobilisation_rate * max(fr.members - fr.fighting, 0.0),
                max(cap - fr.fighting, 0.0),
            )
            target = min(max(p.commit_ratio * fr.enemy, floor), cap)
            fr.lacking = max(target - fr.fighting - fr.armed, 0.0)

        # The reserve: members above the garrison in the quiet plazas (no rival there).
        reserve: dict[Cartel, float] = defaultdict(float)
        quiet_members: dict[Cartel, float] = defaultdict(float)
        for (c, q), faces in facing.items():
            if not faces:
                reserve[c] += (1.0 - p.garrison_share) * c.members[q]
                quiet_members[c] += c.members[q]
        v_ref = self.value_ref(value)
        total_worth: dict[Cartel, float] = defaultdict(float)
        for fr in fronts:
            fr.worth = math.log1p(value[fr.plaza] / v_ref)
            total_worth[fr.cartel] += fr.worth
        # Give up fronts held by someone else that even this front's share of the reserve
        # could not win.
        for fr in fronts:
            c = fr.cartel
            share = fr.worth / max(total_worth[c], 1e-300)
            best = (fr.members + reserve[c] * share) ** gamma
            fr.hopeless = (
                self.plazas[fr.plaza].control != c.slot
                and fr.rival > 0
                and best < p.retreat_share * (best + fr.rival**gamma)
            )
            if fr.hopeless:
                fr.lacking = fr.armed = 0.0
        # Reinforcements from the reserve, paid for, shared by what fronts lack x worth.
        total_lacking: dict[Cartel, float] = defaultdict(float)
        total_weight: dict[Cartel, float] = defaultdict(float)
        for fr in fronts:
            fr.weight = fr.lacking * fr.worth
            total_lacking[fr.cartel] += fr.lacking
            total_weight[fr.cartel] += fr.weight
        budget: dict[Cartel, float] = {}
        for c in total_weight:
            affordable = max(c.cash, 0.0) / p.deploy_cost_usd if p.deploy_cost_usd > 0 else math.inf
            budget[c] = (
                min(min(p.mobilisation_rate * reserve[c], affordable), total_lacking[c])
                if total_weight[c] > 0
                else 0.0
            )
        sent: dict[Cartel, float] = defaultdict(float)
        for fr in fronts:
            c = fr.cartel
            fr.sent = min(budget[c] * fr.weight / max(total_weight[c], 1e-300), fr.lacking)
            sent[c] += fr.sent
            fr.lacking -= fr.sent
        # Members of fronts given up (those sent to an ordered plaza too) fall back to the
        # quiet plazas; their orders lapse.
        withdrawn: dict[Cartel, float] = defaultdict(float)
        gone = []
        for fr in fronts:
            if fr.hopeless:
                if fr.cartel in quiet_members:  # it has a quiet plaza to fall back to
                    withdrawn[fr.cartel] += fr.members
                    gone.append(fr)
                fr.cartel.orders.discard(fr.plaza)
        for (c, q), faces in facing.items():
            if not faces:
                s = c.members[q]
                out = sent[c] * ((1.0 - p.garrison_share) * s) / max(reserve[c], 1e-300)
                back = withdrawn[c] * s / max(quiet_members[c], 1e-300)
                c.members[q] = max(s - out + back, 0.0)
        for fr in gone:
            fr.cartel.members[fr.plaza] = 0.0
            fr.cartel.fighters.pop(fr.plaza, None)
        for fr in fronts:
            c, q = fr.cartel, fr.plaza
            c.members[q] = c.members.get(q, 0.0) + fr.sent
            c.fighters[q] = c.fighters.get(q, 0.0) + (fr.armed + fr.sent)
        for c, n_sent in sent.items():
            c.cash -= n_sent * p.deploy_cost_usd
        self.hire_at_fronts(fronts)
        self.tally["members_deployed"] = sum(sent.values())
        self.tally["front_cells"] = len(fronts)

    def break_truces(self, cartels: list[Cartel], facing: dict[tuple[Cartel, int], bool]) -> None:
        """A truce ends where a rival newcomer arrived, the state weakened the incumbent,
        or a leader fell (model/war.py)."""
        p = self.params
        if not any(pl.truce for pl in self.plazas):
            return
        breach = {q for (c, q), faces in facing.items() if faces and q not in c.arrival}
        breach |= {pl.index for pl in self.plazas if pl.weakened >= p.truce_fragility}
        breach |= {c.leader_plaza for c in cartels if c.cohesion < 1.0 and c.leader_plaza >= 0}
        for q in breach:
            self.plazas[q].truce = False

    def hire_at_fronts(self, fronts: list[Front]) -> None:
        """Hire ``war_recruitment`` of what each front still lacks, as the plaza's youth
        pool (shared among the fronts there) and the cartel's cash allow."""
        p = self.params
        asking = [fr for fr in fronts if fr.lacking > 0]
        if not asking or p.war_recruitment <= 0:
            return
        asked_here: dict[int, float] = defaultdict(float)
        for fr in asking:
            fr.ask = p.war_recruitment * fr.lacking
            asked_here[fr.plaza] += fr.ask
        for fr in asking:
            local = sum(c.members.get(fr.plaza, 0.0) for c in self.slots)
            room = max(p.youth_pool_share * self.plazas[fr.plaza].youth - local, 0.0)
            fr.ask *= min(1.0, room / max(asked_here[fr.plaza], 1e-300))
        cost: dict[Cartel, float] = defaultdict(float)
        for fr in asking:
            cost[fr.cartel] += fr.ask
        hired: dict[Cartel, float] = defaultdict(float)
        for fr in asking:
            c = fr.cartel
            due = cost[c] * p.recruit_cost_usd
            cash = max(c.cash, 0.0)
            fr.ask *= cash / due if due > cash else 1.0
            c.members[fr.plaza] = c.members.get(fr.plaza, 0.0) + fr.ask
            c.fighters[fr.plaza] = c.fighters.get(fr.plaza, 0.0) + fr.ask
            hired[c] += fr.ask
        for c, n in hired.items():
            c.cash -= n * p.recruit_cost_usd

    # 6 -------------------------------------------------------------------------
    def fight(self) -> tuple[dict[tuple[int, int], float], set[tuple[int, int]], set[int]]:
        """Encounters and executions where rivals meet, succession fights, executions
        elsewhere, bystanders, then control."""
        p = self.params
        rng = self.rng
        cartels = self.cartels
        present_at = self.presence()
        before = {c: {q: c.members[q] for q in c.present_plazas()} for c in cartels}
        killed_by: dict[tuple[int, int], float] = defaultdict(float)
        executed_by: dict[tuple[int, int], float] = defaultdict(float)
        deaths: dict[int, float] = defaultdict(float)
        disputed = set()
        for q in sorted(present_at):
            here = present_at[q]
            if not any(a.rel(b.slot) != ALLIED for a in here for b in here):
                continue
            disputed.add(q)
            lost, kills, executed = self.encounters(q, here)
            for c in here:
                if executed[c] > 0:
                    executed_by[c.slot, q] = float(rng.poisson(executed[c]))
            s = {c: c.members[q] for c in here}
            drawn = {
                c: min(float(rng.poisson(lost[c])), math.floor(MAX_WEEKLY_LOSS * s[c]))
                for c in here
            }
            expected = sum(lost.values())
            scale = sum(drawn.values()) / max(expected, 1e-12) if expected > 0 else 0.0
            for c in here:
                killed_by[c.slot, q] = kills[c] * scale
                c.members[q] = max(s[c] - drawn[c], 0.0)
                # The dead are fighters first; fighters never outnumber members.
                c.fighters[q] = min(max(c.fighters.get(q, 0.0) - drawn[c], 0.0), c.members[q])
                deaths[q] += drawn[c]
        fight_hit = {key for key, v in killed_by.items() if v > 0}
        if p.succession_lethality > 0 and any(c.cohesion < 1.0 for c in cartels):
            for c in cartels:
                weak = 1.0 - c.cohesion
                if weak <= 0:
                    continue
                for q in before[c]:
                    s = c.members[q]
                    where = 1.0 if q == c.leader_plaza else p.succession_spread
                    lam = p.succession_lethality * weak * s * where
                    drawn = float(rng.poisson(lam)) if lam > 0 else 0.0
                    lost = min(drawn, math.floor(MAX_WEEKLY_LOSS * s))
                    c.members[q] = max(s - lost, 0.0)
                    if q in c.fighters:
                        c.fighters[q] = min(c.fighters[q], c.members[q])
                    killed_by[c.slot, q] += lost
                    deaths[q] += lost
        for c in cartels:  # a violent cartel executes where it meets no rival
            for q in sorted(c.violent):
                if q in before[c] and q not in disputed:
                    executed_by[c.slot, q] = float(rng.poisson(p.execution_rate * before[c][q]))
        for key, n in executed_by.items():
            killed_by[key] += n
        bystanders = 0.0
        for q in sorted(deaths):
            lam = p.bystander_ratio * deaths[q] * self.plazas[q].bystander_factor
            if lam > 0:
                hit = float(rng.poisson(lam))
                bystanders += hit
                self.related[q] += hit
        for q, n in deaths.items():
            self.related[q] += n
        for (_, q), n in executed_by.items():
            self.related[q] += n
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
        self.tally["homicides_cartel"] = sum(deaths.values()) + sum(executed_by.values())
        self.tally["homicides_bystander"] = bystanders
        self.tally["plazas_disputed"] = len(disputed)
        return killed_by, fights, disputed

    def encounters(
        self, q: int, here: list[Cartel]
    ) -> tuple[dict[Cartel, float], dict[Cartel, float], dict[Cartel, float]]:
        """Expected members lost, deaths inflicted and people executed by each cartel in ``q``.

        Each non-allied pair meets (Prieto-Curiel's conflict term normalised by the local
        forces): rivals at war (an open war, or a broken truce) with their fighters
        ``f``, over all fighters present; the others (a truce, neutrals) with all their
        members ``s``, over all members present, at ``truce_intensity``. Losses are shared
        by a Tullock contest; each side executes ``war_execution_rate`` x the encounter.
        """
        p = self.params
        g = p.contest_exponent
        truce = self.plazas[q].truce
        s = {c: c.members[q] for c in here}
        f = {c: c.fighters.get(q, 0.0) for c in here}
        s_all, f_all = sum(s.values()), sum(f.values())
        mult = {c: p.violent_lethality_mult if q in c.violent else 1.0 for c in here}
        lost = dict.fromkeys(here, 0.0)
        kills = dict.fromkeys(here, 0.0)
        executed = dict.fromkeys(here, 0.0)
        for a in here:
            for b in here:
                if a is b or a.rel(b.slot) == ALLIED:
                    continue
                at_war = a.rel(b.slot) == RIVAL and (b.slot in a.war or not truce)
                xa, xb, total = (f[a], f[b], f_all) if at_war else (s[a], s[b], s_all)
                encounter = xa * xb / max(total, 1e-12) if total > 0 else 0.0
                encounter *= (1.0 if at_war else p.truce_intensity) * self.lethality_mult
                pair = p.lethality * encounter * mult[a] * mult[b]
                ga, gb = xa**g, xb**g
                a_loses = pair * (gb / max(ga + gb, 1e-300) if ga + gb > 0 else 0.0)
                lost[a] += a_loses
                kills[b] += a_loses
                executed[a] += p.war_execution_rate * encounter * mult[a]
        return lost, kills, executed

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
    def observe(
        self,
        killed_by: dict[tuple[int, int], float],
        fights: set[tuple[int, int]],
        disputed: set[int],
    ) -> Observation:
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
        capacity = math.floor(
            p.capacity_ops_per_week * self.capacity_mult * self.scale + self.rng.random()
        )
        return Observation(
            week=self.week,
            alive=alive,
            names=tuple(names),
            present=present,
            strength_estimate=estimate,
            controller=np.where(signal != NONE, signal, control),
            disputed=np.array([q in disputed for q in range(n)]),
            violence=violence,
            violence_total=violence_total,
            fights_with_controller=fought,
            arrival_week=arrival,
            first_violence_week=first,
            relation=relation,
            protected=np.array(
                [c.protected for c in self.slots] + [False] * (k_slots - len(self.slots))
            ),
            signal=signal,
            members=estimate.sum(axis=1),
            capacity=capacity,
            population=self.world.population,
        )

    def enforce(
        self,
        killed_by: dict[tuple[int, int], float],
        fights: set[tuple[int, int]],
        disputed: set[int],
    ) -> None:
        """The policy orders operations; leaks, arrests, takedowns, kingpin ops, clashes,
        the incumbents they weaken, heat."""
        p = self.params
        rng = self.rng
        obs = self.observe(killed_by, fights, disputed)
        ops = self.policy.decide(obs, rng)
        orders = list(zip(ops.plaza, ops.cartel, ops.kind, ops.intensity, strict=True))
        if self.policy.enforces:  # back US signals (events only)
            backed = [
                (q, c.slot, OP_TAKEDOWN, 1.0)
                for q, pl in enumerate(self.plazas)
                if pl.signal != NONE
                for c in self.cartels
                if c.present(q)
                and c.slot != pl.signal
                and c.rel(pl.signal) != ALLIED
                and not c.protected
            ]
            orders = backed + [o for o in orders if self.plazas[o[0]].signal != o[1]]
        n, k_slots = len(self.plazas), self.n_slots
        orders = [o for o in orders if 0 <= o[0] < n and 0 <= o[1] < k_slots]
        orders = [
            o
            for o in orders
            if o[1] < len(self.slots)
            and self.slots[o[1]].alive
            and not self.slots[o[1]].protected
            and o[2] > 0
            and o[3] > 0
        ]
        orders = orders[: max(obs.capacity, 0)]
        removed: dict[tuple[int, int], float] = defaultdict(float)
        network: dict[int, float] = defaultdict(float)
        kingpins: dict[int, int] = defaultdict(int)
        for q, k, kind, intensity in orders:
            c = self.slots[k]
            leaked = rng.random() < c.infiltration
            effect = intensity * ((1.0 - p.leak_effect) if leaked else 1.0)
            frac = (
                p.arrest_share
                if kind == OP_ARRESTS
                else p.takedown_share
                if kind == OP_TAKEDOWN
                else 0.0
            )
            removed[k, q] += c.members.get(q, 0.0) * min(max(frac * effect, 0.0), 1.0)
            if kind == OP_TAKEDOWN:
                share = min(p.takedown_neighbour_share * effect, 1.0)
                for r in self.plazas[q].neighbours:
                    removed[k, r] += c.members.get(r, 0.0) * share
                network[k] += (
                    c.members.get(q, 0.0) / max(c.total(), 1e-12) * p.seize_cash_share * effect
                )
            elif kind == OP_KINGPIN and rng.random() < min(
                max(p.kingpin_success * effect, 0.0), 1.0
            ):
                kingpins[k] += 1
                c.leader_plaza = q
        clash: dict[int, float] = defaultdict(float)
        taken: dict[int, float] = defaultdict(float)
        for (k, q), v in sorted(removed.items()):
            c = self.slots[k]
            v = removed[k, q] = min(v, c.members.get(q, 0.0))
            mult = p.state_clash_violent_mult if q in c.violent else 1.0
            clash[q] += v * mult * p.state_clash_deaths
            taken[q] += v
        state_deaths = 0.0
        for q in sorted(clash):
            if clash[q] > 0:
                dead = min(float(rng.poisson(clash[q])), math.floor(taken[q]))
                state_deaths += dead
                self.related[q] += dead
        for k, hits in kingpins.items():  # the leader falls; the policy's own ops fracture
            c = self.slots[k]
            c.cohesion = min(max(c.cohesion - p.kingpin_cohesion_loss * hits, 0.0), 1.0)
            c.fracture = min(max(c.fracture + p.kingpin_cohesion_loss * hits, 0.0), 1.0)
        for pl in self.plazas:
            pl.weakened *= p.heat_decay
        for (k, q), v in removed.items():  # rivals read a weakened incumbent as an opening
            if v > 0 and self.plazas[q].control == k:
                self.plazas[q].weakened += v / self.slots[k].members[q]
        for pl in self.plazas:
            pl.weakened = min(pl.weakened, 1.0)
        for (k, q), v in removed.items():
            c = self.slots[k]
            if q in c.members:
                before = c.members[q]
                kept = 1.0 - v / max(before, 1e-300) if before > 0 else 0.0
                c.members[q] = max(before - v, 0.0)
                if q in c.fighters:  # fighters are hit alike
                    c.fighters[q] *= min(max(kept, 0.0), 1.0)
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
            if draw < p.split_rate * c.fracture and c.total() >= 4 * p.presence_threshold:
                if len(self.slots) >= self.n_slots:
                    break  # no free slot
                self.split(c)
        for c in self.cartels:
            c.cohesion = min(c.cohesion + p.cohesion_recovery, 1.0)
            c.fracture = max(c.fracture - p.cohesion_recovery, 0.0)
        for c in list(self.cartels):
            if c.total() < 2 * p.presence_threshold:
                c.alive = False
                c.cohesion = 0.0
                c.members, c.fighters, c.orders = {}, {}, set()
                c.arrival, c.first_violence = {}, {}
                for pl in self.plazas:
                    if pl.control == c.slot:
                        pl.control = NONE
                    if pl.signal == c.slot:
                        pl.signal = NONE
                c.remove()

    def split(self, parent: Cartel) -> Cartel:
        """Splinter on one side of a random line through the parent's centre (Calderón 2015).

        It takes those plazas' members and fighters, and is at war with its parent.
        """
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
        for q in take:  # (the parent's arrival weeks there are forgotten in phase 6)
            new.members[q] = parent.members.pop(q)
            new.fighters[q] = parent.fighters.pop(q, 0.0)
            new.arrival[q] = self.week
            if self.plazas[q].control == parent.slot:
                self.plazas[q].control = new.slot
        new.cash, new.stock = parent.cash * moved_share, parent.stock * moved_share
        parent.cash -= new.cash
        parent.stock -= new.stock
        rivals = [k for k, r in parent.relation.items() if r == RIVAL]
        new.make_rival(parent, war=True)
        for k in rivals:
            new.relation[k] = self.slots[k].relation[new.slot] = RIVAL
        parent.cohesion, new.cohesion = 0.5, 0.8
        parent.fracture = new.fracture = 0.0  # the split released the pressure
        new.replan = False  # it has no plan yet: it plans at once, next week
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
            seen = (
                [o + p.social_learning * (e - o) for o, e in zip(own[c], everyone, strict=True)]
                if c.alive
                else [0.0] * 4
            )
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
        """Baseline homicides (INEGI rates plus the spill-over of related killings), then the
        national row."""
        p = self.params
        # The trend runs from the middle of the years the baseline rate averages.
        years = self.week / 52.0 + self.world.baseline_age_years
        trend = math.exp(p.baseline_trend_per_year * years)
        w = 1.0 / p.spillover_memory_weeks
        share = p.spillover_national_share
        ordinary: list[float] = []
        for pl in self.plazas:
            # Disorder: an exponential mean of the plaza's related killings (spill-over).
            pl.disorder = (1.0 - w) * pl.disorder + w * self.related.get(pl.index, 0.0)
            rate = pl.baseline_rate * p.baseline_scale * trend
            ordinary.append(rate * pl.population_now(self.week) / 1e5 / 52.0)
        # The national share of the spill-over goes where ordinary homicide is.
        total_ordinary = sum(ordinary)
        pooled = share * sum(p.spillover_per_killing * pl.disorder for pl in self.plazas)
        spread = share > 0.0 and total_ordinary > 0.0
        per_ordinary = pooled / total_ordinary if spread else 0.0
        kept = 1.0 - share if spread else 1.0
        baseline = 0.0
        for pl, expected in zip(self.plazas, ordinary, strict=True):
            spill = kept * p.spillover_per_killing * pl.disorder + expected * per_ordinary
            baseline += float(self.rng.poisson(expected + spill))
        self.related.clear()
        t = self.tally
        t["homicides_baseline"] = baseline
        t["homicides_total"] = (
            t["homicides_cartel"] + t["homicides_state"] + t["homicides_bystander"] + baseline
        )
        t["cocaine_stock_t"] = sum(c.stock for c in self.slots)
        t["members"] = sum(c.total() for c in self.slots)
        t["active_cartels"] = len(self.cartels)
        self.datacollector.collect(self)


def run_mesa(
    world: World,
    params: Parameters,
    *,
    start: dt.date,
    n_weeks: int,
    policies: Sequence[tuple[int, Policy]],
    seed: int,
    events: Sequence[tuple[int, Event]] = (),
    debug_rng: MeanDraws | None = None,
) -> pd.DataFrame:
    """Run the Mesa model for ``n_weeks`` weeks; one row per week (national series).

    ``events`` are ``[(week, event)]`` as ``plazasim.model.engine.simulate`` takes them;
    only rivalry/alliance and incursion events are supported (see the module docstring).
    """
    model = DrugWarModel(world, params, policies, seed, events=events, debug_rng=debug_rng)
    for _ in range(n_weeks):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    for name in INTEGER_COLUMNS:
        frame[name] = frame[name].astype(np.int64)
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
