"""One week of the model: the phases of docs/MODEL.md, in order.

Each phase is a function of (state, context, rng) in its own module; this file
only fixes their order and gathers what they report into a :class:`WeekRecord`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from plazasim.model.baseline import baseline_homicides, update_disorder
from plazasim.model.conflict import fight
from plazasim.model.context import Context
from plazasim.model.decisions import decide, plaza_value
from plazasim.model.enforcement import enforce
from plazasim.model.learning import learn
from plazasim.model.members import recruit_and_attrit
from plazasim.model.money import pay_and_launder
from plazasim.model.operations import EnforcementPolicy
from plazasim.model.revenue import collect_revenue
from plazasim.model.splits import split_and_dissolve
from plazasim.model.state import State
from plazasim.model.supply import supply_and_route
from plazasim.model.war import commit_forces


@dataclass(frozen=True)
class WeekRecord:
    """Everything recorded for one week (phase 10). Units: persons, tons, USD, members."""

    hom_cartel: np.ndarray  # (P,) cartel-cartel fighting deaths + executions
    hom_state: np.ndarray  # (P,) state-cartel clash deaths
    hom_bystander: np.ndarray  # (P,)
    hom_baseline: np.ndarray  # (P,)
    flow_t: np.ndarray  # (P,)
    disputed: np.ndarray  # (P,) bool
    violence_observed: np.ndarray  # (P,)
    op_plaza: np.ndarray
    op_cartel: np.ndarray
    op_kind: np.ndarray
    entered_t: float
    delivered_t: float
    seized_t: float
    cash_seized_usd: float
    revenue_k: np.ndarray  # (K,)
    laundered_usd: float
    intercepted_usd: float
    bribes_usd: float
    wages_usd: float
    recruiting_usd: float
    deployment_usd: float
    members_deployed: float
    front_cells: int
    members_in: np.ndarray  # (K,) recruits
    members_out: np.ndarray  # (K,) routine arrests + attrition + fighting + enforcement
    dispersed: np.ndarray  # (K,) members released when a cartel dissolved
    splits: list[tuple[int, int]]


class WeekStreams(NamedTuple):
    """Independent random streams for the phases of one week of one run.

    Each phase draws from its own generator, seeded by ``(seed, week, phase)``
    through NumPy's ``SeedSequence`` (:meth:`of`). So a phase that draws more or
    fewer numbers (a policy that orders more operations, a cartel that attacks more
    plazas) does not shift the draws of any other phase, nor of any later week.
    This is what makes common random numbers work when runs are compared: two
    policies run on the same seed see the same baseline homicides, the same
    observation noise and the same draws wherever their states agree (Law 2015,
    *Simulation Modeling and Analysis*, §11.2, on synchronising random numbers).
    """

    decide: np.random.Generator
    conflict: np.random.Generator
    enforce: np.random.Generator
    policy: np.random.Generator
    splits: np.random.Generator
    baseline: np.random.Generator

    @classmethod
    def of(cls, seed: int, week: int) -> WeekStreams:
        """The streams of week ``week`` of the run seeded ``seed``."""
        return cls(
            *(np.random.default_rng([int(seed), int(week), i]) for i in range(len(cls._fields)))
        )

    @classmethod
    def shared(cls, rng: np.random.Generator) -> WeekStreams:
        """One generator for every phase (convenient in tests)."""
        return cls(*(rng,) * len(cls._fields))


def step(
    state: State, ctx: Context, policy: EnforcementPolicy, rng: np.random.Generator | WeekStreams
) -> WeekRecord:
    """Advance ``state`` by one week and return what happened.

    ``rng`` is this week's :class:`WeekStreams` (what the engine passes), or one
    generator that every phase shares (convenient in tests).
    """
    r = rng if isinstance(rng, WeekStreams) else WeekStreams.shared(rng)
    supply = supply_and_route(state, ctx)  # 1
    revenue = collect_revenue(state, ctx, supply)  # 2
    money = pay_and_launder(state, ctx, revenue)  # 3
    members = recruit_and_attrit(state, ctx, money)  # 4
    value = plaza_value(state, ctx, supply.flow_t)
    decide(state, ctx, supply.flow_t, r.decide, value)  # 5
    war = commit_forces(state, ctx, value)  # 5b
    conflict = fight(state, ctx, r.conflict)  # 6
    enforcement = enforce(state, ctx, policy, conflict, r.enforce, policy_rng=r.policy)  # 7
    splits = split_and_dissolve(state, ctx, r.splits)  # 8
    learn(state, ctx)  # 9
    related = (
        conflict.cartel_deaths
        + conflict.executions
        + conflict.bystanders
        + enforcement.state_deaths
    )
    update_disorder(state, ctx, related)
    baseline = baseline_homicides(state, ctx, r.baseline)  # 10 (record)
    state.week += 1
    return WeekRecord(
        hom_cartel=conflict.cartel_deaths + conflict.executions,
        hom_state=enforcement.state_deaths,
        hom_bystander=conflict.bystanders,
        hom_baseline=baseline,
        flow_t=supply.flow_t,
        disputed=conflict.disputed,
        violence_observed=enforcement.violence_observed,
        op_plaza=enforcement.plaza,
        op_cartel=enforcement.cartel,
        op_kind=enforcement.kind,
        entered_t=supply.entered_t,
        delivered_t=float(supply.delivered_t.sum()),
        seized_t=supply.seized_route_t + supply.seized_border_t,
        cash_seized_usd=float(enforcement.cash_seized_usd.sum()),
        revenue_k=money.revenue_usd,
        laundered_usd=float(money.laundered_usd.sum()),
        intercepted_usd=float(money.intercepted_usd.sum()),
        bribes_usd=float(money.bribes_usd.sum()),
        wages_usd=float(money.wages_usd.sum()),
        recruiting_usd=float(members.recruiting_usd.sum() + war.hiring_usd.sum()),
        deployment_usd=float(war.deploy_usd.sum()),
        members_deployed=float(war.deployed.sum()),
        front_cells=war.fronts,
        members_in=members.recruits + war.hired,
        members_out=members.routine_arrests
        + members.attrition
        + conflict.members_lost
        + enforcement.arrested,
        dispersed=splits.dispersed,
        splits=splits.splits,
    )
