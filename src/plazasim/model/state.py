"""The mutable state of a run, as arrays over cartel slots (K) and plazas (P).

Cartel slots are preallocated (``K = Parameters.max_cartels``) so that a split
only switches a slot on; ``alive[k]`` says which slots hold a cartel. Arrays
are indexed ``[cartel, plaza]``. Units: members, USD, tons, weeks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from plazasim.model.context import world_scale
from plazasim.model.params import Parameters
from plazasim.world.world import ALLIED, NEUTRAL, World

if TYPE_CHECKING:
    from plazasim.model.operations import EnforcementPolicy
    from plazasim.model.routing import Routes

NO_CARTEL = -1

#: Columns of ``State.counts``: discounted counts of acts (one cartel's posture in one
#: plaza for one week) that were violent and punished, violent, discreet and punished,
#: discreet (phase 9, :mod:`plazasim.model.learning`).
VIOLENT_PUNISHED, VIOLENT_SEEN, DISCREET_PUNISHED, DISCREET_SEEN = range(4)


def sparse_poisson(rng: np.random.Generator, lam: np.ndarray) -> np.ndarray:
    """Poisson draws with means ``lam`` (float64, same shape), drawing only where ``lam > 0``.

    Most expected deaths are zero in most plazas in most weeks; skipping them makes
    a draw cost what the violence costs, not what the map costs.
    """
    out = np.zeros(lam.shape)
    idx = np.flatnonzero(lam > 0)
    if idx.size:
        out.flat[idx] = rng.poisson(lam.flat[idx])
    return out


@dataclass
class State:
    """Everything that changes during a run (docs/MODEL.md, "Entities").

    Attributes:
        week: weeks elapsed since the start.
        names: cartel name per slot ("" for unused slots).
        alive: ``(K,)`` bool, slot holds an active cartel.
        strength: ``(K, P)`` float64, members of cartel k in plaza p.
        fighters: ``(K, P)`` float64, those of them committed to a war there (phase 5b);
            always between 0 and ``strength``. Only fighters fight (phase 6).
        control: ``(P,)`` int, controlling cartel slot or ``NO_CARTEL``.
        challenger_weeks: ``(P,)`` int, consecutive weeks the current leader of the
            contest (``contest_leader``) has dominated without holding control.
        contest_leader: ``(P,)`` int, slot that currently dominates the contest.
        arrival_week: ``(K, P)`` int32, week cartel k became present in p (-1 if absent).
        first_violence_week: ``(K, P)`` int32, first week of violence by k in p since arrival.
        violent: ``(K, P)`` bool, posture chosen this week (True = violent).
        cash: ``(K,)`` float64, USD.
        stock: ``(K,)`` float64, tons of cocaine held, not yet shipped.
        cohesion: ``(K,)`` float64 in [0, 1]; 1 = leadership intact.
        relation: ``(K, K)`` int8, RIVAL/NEUTRAL/ALLIED, symmetric.
        war: ``(K, K)`` bool, symmetric: the two are in an open war (a rivalry, a split or
            an incursion opened it during the run). The rivalries of the 2006 map are old
            feuds, cold at the start; rivals at war attack each other's plazas (phase 5).
        protected: ``(K,)`` bool, immunity deal in force.
        belief: ``(K,)`` float64, believed probability that violence is punished.
        belief_discreet: ``(K,)`` float64, believed probability that discretion is punished.
        counts: ``(K, 4)`` float64, discounted counts of acts, by the columns
            ``VIOLENT_PUNISHED``, ``VIOLENT_SEEN``, ``DISCREET_PUNISHED``, ``DISCREET_SEEN``.
        infiltration: ``(K,)`` float64, probability an operation against k leaks.
        heat: ``(P,)`` float64, enforcement presence (heat units).
        signal: ``(P,)`` int, cartel publicly declared dominant in p, or ``NO_CARTEL``.
        punished: ``(K, P)`` bool, an operation hit k in p this week.
        leader_plaza: ``(K,)`` int, plaza where k's last leader fell (``-1`` none); the
            succession fight is fiercest there (phase 6).
        intelligence: ``(K,)`` float in [0, 1], intelligence k supplies on its rivals
            under an immunity deal (0 without a deal).
        fracture: ``(K,)`` float in [0, 1], pressure to split left by leaders the policy's
            own kingpin operations removed (phase 8); historical removals lower
            ``cohesion`` only, since the scenario's timeline carries their splits.
        truce: ``(P,)`` bool, the plaza keeps the peace of the start (pax mafiosa, Snyder &
            Durán-Martínez 2009): rivals not in an open war (``war``) who share it fight
            only at ``truce_intensity``, until a rival's arrival, the state's weakening
            of the incumbent or a fallen leader breaks it (phase 5b). True everywhere
            at week 0.
        orders: ``(K, P)`` bool, standing orders to take plaza p (an incursion event):
            cartel k treats p as a front until it controls p or gives it up.
        weakened: ``(P,)`` float, share of the controller's local members the state
            removed there recently (decays like heat): rivals read it as an opening.
        disorder: ``(P,)`` float, persons/week: the plaza's recent cartel-related
            killings, an exponentially weighted mean (phase 10); ordinary homicide
            rises with it (``model.baseline``).
        surges: active military operations, ``{id: (plaza indices, operations/week)}``.
        surge_aims: the policy aiming a military operation that has a rule of its own,
            by operation id (the others follow the policy in force).
        pending_leaders: leader removals ordered by scenario events for this week,
            ``(slot, plaza or -1, killed)``; the enforcement phase carries them out.
        period_factors: factors of the period events in force, by multiplier name and
            event id (``supply_mult`` etc. are their products).
        deals: immunity deals in force, ``{id: (cartel name, intelligence share)}``;
            ``protected`` and ``intelligence`` are derived from them.
        routes: the cartels' planned routes (``model.routing``), or None before the
            first week plans them.
        routes_dirty: cartels whose relations changed, so their routes must be
            re-planned next week (``model.routing.stale_cartels``).
        capacity_mult: multiplier on enforcement capacity (events may change it).
        lethality_mult: multiplier on conflict lethality (events may change it).
        supply_mult: multiplier on cocaine entering (events may change it).

    """

    week: int
    names: list[str]
    alive: np.ndarray
    strength: np.ndarray
    fighters: np.ndarray
    control: np.ndarray
    challenger_weeks: np.ndarray
    contest_leader: np.ndarray
    arrival_week: np.ndarray
    first_violence_week: np.ndarray
    violent: np.ndarray
    cash: np.ndarray
    stock: np.ndarray
    cohesion: np.ndarray
    relation: np.ndarray
    war: np.ndarray
    protected: np.ndarray
    belief: np.ndarray
    belief_discreet: np.ndarray
    counts: np.ndarray
    infiltration: np.ndarray
    heat: np.ndarray
    signal: np.ndarray
    punished: np.ndarray
    leader_plaza: np.ndarray
    intelligence: np.ndarray
    fracture: np.ndarray
    truce: np.ndarray
    orders: np.ndarray
    weakened: np.ndarray
    disorder: np.ndarray
    surges: dict[int, tuple[np.ndarray, float]] = field(default_factory=dict)
    surge_aims: dict[int, EnforcementPolicy] = field(default_factory=dict)
    pending_leaders: list[tuple[int, int, bool]] = field(default_factory=list)
    period_factors: dict[str, dict[int, float]] = field(default_factory=dict)
    deals: dict[int, tuple[str, float]] = field(default_factory=dict)
    routes: Routes | None = None
    routes_dirty: set[int] = field(default_factory=set)
    capacity_mult: float = 1.0
    lethality_mult: float = 1.0
    supply_mult: float = 1.0

    @property
    def n_slots(self) -> int:
        """Number of cartel slots K."""
        return int(self.alive.shape[0])

    def members(self) -> np.ndarray:
        """``(K,)`` total armed members per slot."""
        return self.strength.sum(axis=1)

    def add_cartel(self, name: str, parent: int) -> int:
        """Switch on a free slot for a new cartel; returns its index.

        The new cartel starts with no strength, no cash, the beliefs of ``parent`` (the
        slot it splits from, or ``NO_CARTEL``), and
        neutral relations (callers set rivalry). Raises ``RuntimeError`` when no slot
        is free, which the splits phase treats as "no split".
        """
        free = np.flatnonzero(~self.alive & (np.array([n == "" for n in self.names])))
        if free.size == 0:
            raise RuntimeError("no free cartel slot")
        k = int(free[0])
        self.names[k] = name
        self.alive[k] = True
        self.strength[k] = 0.0
        self.fighters[k] = 0.0
        self.cash[k] = 0.0
        self.stock[k] = 0.0
        self.cohesion[k] = 1.0
        self.relation[k, :] = NEUTRAL
        self.relation[:, k] = NEUTRAL
        self.relation[k, k] = ALLIED
        self.war[k, :] = False
        self.war[:, k] = False
        self.protected[k] = False
        self.intelligence[k] = 0.0
        self.fracture[k] = 0.0
        self.orders[k] = False
        self.leader_plaza[k] = NO_CARTEL
        self.belief[k] = self.belief[parent] if parent >= 0 else self.belief[k]
        self.belief_discreet[k] = self.belief_discreet[parent] if parent >= 0 else 0.0
        self.counts[k] = self.counts[parent] if parent >= 0 else 0.0
        self.arrival_week[k] = -1
        self.first_violence_week[k] = -1
        return k

    def copy(self) -> State:
        """Deep copy of every array (used by tests and what-if branches)."""
        out: dict[str, Any] = {}
        for name, value in self.__dict__.items():
            if isinstance(value, np.ndarray):
                out[name] = value.copy()
            elif isinstance(value, list):
                out[name] = list(value)
            elif isinstance(value, set):
                out[name] = set(value)
            elif isinstance(value, dict):
                out[name] = {key: dict(v) if isinstance(v, dict) else v for key, v in value.items()}
            else:
                out[name] = value
        return State(**out)


def initial_state(world: World, params: Parameters) -> State:
    """Build the week-0 state from the world's initial cartel map.

    Initial strengths are rescaled so that all cartels together have
    ``params.initial_members`` members (times the world's population relative to
    Mexico's, see ``Context.scale``); cash is ``initial_cash_weeks`` of wages;
    beliefs start at the prior mean alpha / (alpha + beta) (pre-war impunity).
    """
    k = max(params.max_cartels, world.n_cartels)
    p = world.n_plazas
    c0 = world.n_cartels
    strength = np.zeros((k, p))
    total = world.initial_strength.sum()
    if total > 0:
        members = params.initial_members * world_scale(world)
        strength[:c0] = world.initial_strength * (members / total)
    names = list(world.cartel_names) + [""] * (k - c0)
    alive = np.zeros(k, dtype=bool)
    alive[:c0] = True
    relation = np.zeros((k, k), dtype=np.int8)
    relation[:c0, :c0] = world.initial_relation
    np.fill_diagonal(relation, ALLIED)
    present = strength >= params.presence_threshold
    # Control at week 0: the strongest present cartel, if any.
    control = np.where(present.any(axis=0), strength.argmax(axis=0), NO_CARTEL)
    weekly_wage = params.wage_usd_per_member_year / 52.0
    cash = strength.sum(axis=1) * weekly_wage * params.initial_cash_weeks
    prior = params.belief_alpha / (params.belief_alpha + params.belief_beta)
    return State(
        week=0,
        names=names,
        alive=alive,
        strength=strength,
        fighters=np.zeros((k, p)),
        control=control.astype(np.int64),
        challenger_weeks=np.zeros(p, dtype=np.int64),
        contest_leader=control.astype(np.int64).copy(),
        arrival_week=np.where(present, 0, -1).astype(np.int32),
        first_violence_week=np.full((k, p), -1, dtype=np.int32),
        violent=np.zeros((k, p), dtype=bool),
        cash=cash,
        stock=np.zeros(k),
        cohesion=np.where(alive, 1.0, 0.0),
        relation=relation,
        war=np.zeros((k, k), dtype=bool),
        protected=np.zeros(k, dtype=bool),
        belief=np.full(k, prior),
        belief_discreet=np.full(k, prior),
        counts=np.zeros((k, 4)),
        infiltration=np.zeros(k),
        heat=np.zeros(p),
        signal=np.full(p, NO_CARTEL, dtype=np.int64),
        punished=np.zeros((k, p), dtype=bool),
        leader_plaza=np.full(k, NO_CARTEL, dtype=np.int64),
        intelligence=np.zeros(k),
        fracture=np.zeros(k),
        truce=np.ones(p, dtype=bool),
        orders=np.zeros((k, p), dtype=bool),
        weakened=np.zeros(p),
        disorder=np.zeros(p),
    )
