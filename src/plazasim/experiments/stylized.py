"""The paired experiments behind ``plazasim validate`` (see :mod:`.validate`).

Each runner takes a base scenario and a seed and returns, for each fact it
measures, the sums of its arms (control first), from runs of the base (the
bundled ``mexico-2006``, or it with a posterior draw's parameters) that differ
in one thing. Runners are pure functions of their arguments, so they can run on
any worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np

from plazasim.events import LeaderRemovalEvent, MilitaryOperationEvent, MultiplierEvent
from plazasim.experiments.simulate import simulate_scenario
from plazasim.model.engine import Event, Simulation, week_of
from plazasim.model.params import Parameters
from plazasim.policies import make_policy
from plazasim.scenario import Scenario, load_scenario, with_overrides
from plazasim.world.mexico import load_mexico
from plazasim.world.world import KIND_CROSSING, KIND_MARKET, World

__all__ = [
    "EVENT_DATE",
    "KINGPIN_TARGETS",
    "RUNNERS",
    "ExperimentTask",
    "base_scenario",
    "run_experiment",
]

EVENT_DATE = dt.date(2007, 6, 1)  # after the first half-year's transient
SHORT_END = dt.date(2008, 6, 1)  # 12 months after the event, plus a margin
MID_END = dt.date(2009, 6, 1)
LONG_END = dt.date(2010, 12, 31)  # last year with observed homicides


@lru_cache(maxsize=1)
def base_scenario() -> Scenario:
    """The bundled ``mexico-2006``, loaded once per process."""
    return load_scenario("mexico-2006")


def _world() -> World:
    return load_mexico()


def _run(
    scenario: Scenario,
    extra: Sequence[tuple[int, Event]] = (),
    params: Parameters | None = None,
    *,
    plazas: bool = False,
) -> Simulation:
    """Simulate ``scenario`` (its seed, policies, events) plus ``extra`` events."""
    return simulate_scenario(
        scenario, world=_world(), params=params, extra_events=extra, record_plazas=plazas
    )


def _scenario(base: Scenario, seed: int, until: dt.date, policy: str | None = None) -> Scenario:
    return with_overrides(base, seed=seed, until=until, policy=policy)


ACTIVE_FLOW_T = 0.01  # tons/week: a plaza with less transit than this is not a route
#: The five largest cartels of the 2006 map, in the order seeds rotate through them.
KINGPIN_TARGETS = 5


def _kingpin(base: Scenario, seed: int) -> dict[str, tuple[float, ...]]:
    world = _world()
    sc = _scenario(base, seed, SHORT_END)
    week = week_of(sc.scenario.start, EVENT_DATE)
    order = np.argsort(-world.initial_strength.sum(axis=1), kind="stable")[:KINGPIN_TARGETS]
    k = int(order[seed % KINGPIN_TARGETS])
    plaza = int(np.argmax(world.initial_strength[k]))
    event = LeaderRemovalEvent(world.cartel_names[k], plaza, killed=False)
    control = _run(sc, plazas=True).recorder.homicides
    treated = _run(sc, [(week, event)], plazas=True).recorder.homicides
    others = world.initial_strength[k] > 0
    others[plaza] = False
    out: dict[str, tuple[float, ...]] = {}
    for name, weeks, cols in (
        ("kingpin_capo_municipality_6m", 26, [plaza]),
        ("kingpin_capo_municipality_12m", 52, [plaza]),
        ("kingpin_other_municipalities_6m", 26, others),
    ):
        out[name] = (
            float(control[week : week + weeks][:, cols].sum()),
            float(treated[week : week + weeks][:, cols].sum()),
        )
    return out


def _crackdown_diversion(base: Scenario, seed: int) -> dict[str, tuple[float, ...]]:
    sc = _scenario(base, seed, SHORT_END)
    week = week_of(sc.scenario.start, EVENT_DATE)
    control = _run(sc, plazas=True).recorder
    # Dell's crackdowns hit contested municipalities on trafficking routes: the target
    # is the inland plaza (not a port or crossing) carrying cocaine in each of the four
    # weeks before (a route in use, not one abandoned already) that saw the most cartel
    # violence in the half-year before.
    world = _world()
    on_route = (control.flow[week - 4 : week] > ACTIVE_FLOW_T).all(axis=0) & (
        world.kind == KIND_MARKET
    )
    violence = np.where(on_route, control.violence[week - 26 : week].sum(axis=0), -1.0)
    target = int(np.argmax(violence))
    # A crackdown on that one plaza, whatever the national policy (Dell's local crackdowns).
    surge = MilitaryOperationEvent(
        op_id=-1,
        plazas=np.array([target]),
        ops_per_week=10.0,
        active=True,
        aim=make_policy("crackdown"),
    )
    treated = _run(sc, [(week, surge)], plazas=True).recorder
    window = slice(week, week + 26)
    # Diverted-to plazas: the largest rise in flow in the treated run over the flow
    # before the event (the two runs share that history). Choosing them by the
    # treated-minus-control difference would select plazas where the *control* run
    # happened to lose traffic, often to fighting, and bias the comparison.
    pre = control.flow[week - 8 : week].mean(axis=0)
    gain = treated.flow[window].mean(axis=0) - pre
    gain[target] = -np.inf
    diverted = np.argsort(-gain, kind="stable")[:10]
    return {
        "crackdown_local_violence": (
            float(control.homicides[window, target].sum()),
            float(treated.homicides[window, target].sum()),
        ),
        "crackdown_flow_diverted": (
            float(control.flow[window, target].sum()),
            float(treated.flow[window, target].sum()),
        ),
        "crackdown_diverted_violence": (
            float(control.homicides[window][:, diverted].sum()),
            float(treated.homicides[window][:, diverted].sum()),
        ),
    }


def _balloon(base: Scenario, seed: int) -> dict[str, tuple[float, ...]]:
    sc = _scenario(base, seed, MID_END, policy="crackdown")
    doubled = sc.parameters.model_copy(
        update={"capacity_ops_per_week": 2.0 * sc.parameters.capacity_ops_per_week}
    )
    counts = []
    for params in (sc.parameters, doubled):
        flow = _run(sc, params=params, plazas=True).recorder.flow
        counts.append(float((flow[-26:].mean(axis=0) > ACTIVE_FLOW_T).sum()))
    return {"balloon_active_plazas": tuple(counts)}


def _supply_shortage(base: Scenario, seed: int) -> dict[str, tuple[float, ...]]:
    world = _world()
    sc = _scenario(base, seed, MID_END)
    week = week_of(sc.scenario.start, EVENT_DATE)
    cut = [
        (week, MultiplierEvent("supply_mult", -1, 0.6, active=True)),
        (week + 52, MultiplierEvent("supply_mult", -1, 0.6, active=False)),
    ]
    control = _run(sc, plazas=True).recorder
    treated = _run(sc, cut, plazas=True).recorder
    contested = control.disputed[week - 26 : week].mean(axis=0) >= 0.25
    border = (world.kind == KIND_CROSSING) & contested
    window = slice(week, week + 52)
    c, t = control.homicides[window], treated.homicides[window]
    return {
        "shortage_border_violence": (
            float(c[:, border].sum()),
            float(t[:, border].sum()),
            float(c[:, ~border].sum()),
            float(t[:, ~border].sum()),
        )
    }


def _conditional_vs_crackdown(base: Scenario, seed: int) -> dict[str, tuple[float, ...]]:
    sums = []
    for policy in ("crackdown", "conditional"):
        nat = _run(_scenario(base, seed, LONG_END, policy=policy)).recorder.national
        sums.append((float(nat["homicides_state"].sum()), float(nat["homicides_cartel"].sum())))
    return {
        "conditional_state_killings": (sums[0][0], sums[1][0]),
        "conditional_cartel_killings": (sums[0][1], sums[1][1]),
    }


def _recruitment(base: Scenario, seed: int) -> dict[str, tuple[float, ...]]:
    sc = _scenario(base, seed, LONG_END)
    p = sc.parameters
    # Recruitment is all of it: the steady recruitment and the hiring at the fronts.
    halved = {"recruit_rate": 0.5 * p.recruit_rate, "war_recruitment": 0.5 * p.war_recruitment}
    variants = (
        p,
        p.model_copy(update=halved),
        p.model_copy(update={"routine_arrests_per_week": 2.0 * p.routine_arrests_per_week}),
    )
    killed = []
    for params in variants:
        nat = _run(sc, params=params).recorder.national
        related = nat["homicides_cartel"] + nat["homicides_state"] + nat["homicides_bystander"]
        killed.append(float(related[-52:].sum()))
    return {"recruitment_beats_incapacitation": tuple(killed)}


RUNNERS: dict[str, Callable[[Scenario, int], dict[str, tuple[float, ...]]]] = {
    "kingpin": _kingpin,
    "crackdown_diversion": _crackdown_diversion,
    "balloon": _balloon,
    "supply_shortage": _supply_shortage,
    "conditional_vs_crackdown": _conditional_vs_crackdown,
    "recruitment": _recruitment,
}


#: A task of :func:`run_experiment`: ``(experiment, seed)`` on the bundled
#: ``mexico-2006``, or ``(experiment, seed, base)`` on another base scenario (the
#: bundled one with a posterior draw's parameters).
ExperimentTask = tuple[str, int] | tuple[str, int, Scenario]


def run_experiment(task: ExperimentTask) -> dict[str, tuple[float, ...]]:
    """Run one :data:`ExperimentTask`; returns each of its facts' arm sums.

    A pure function of its argument: the task :func:`validate` sends to workers.
    """
    experiment, seed = task[0], task[1]
    base = task[2] if len(task) == 3 else base_scenario()
    return RUNNERS[experiment](base, int(seed))
