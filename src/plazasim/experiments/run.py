"""One seeded run of a scenario: resolve it against its world, simulate, tabulate.

``run_scenario`` is what ``plazasim run`` calls; it returns the three tables and
a manifest that says exactly what produced them (scenario as resolved, seed,
package version, wall time, and the posterior draw if one was used), so a
result can always be traced and repeated.
"""

from __future__ import annotations

import datetime as dt
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import plazasim
from plazasim.model.engine import Event, simulate, week_of, weeks_between
from plazasim.model.events import (
    AbsorbEvent,
    ImmunityDealEvent,
    IncursionEvent,
    LeaderRemovalEvent,
    MilitaryOperationEvent,
    MultiplierEvent,
    RelationEvent,
    SplitEvent,
    UsSignalEvent,
)
from plazasim.model.operations import EnforcementPolicy as Policy
from plazasim.policies import make_policy
from plazasim.results.store import RunTables
from plazasim.scenario import (
    Absorb,
    Alliance,
    ArmsFlow,
    Capacity,
    ImmunityDeal,
    Incursion,
    KingpinCapture,
    KingpinKilled,
    MilitaryOperation,
    Rivalry,
    Scenario,
    Split,
    SupplyShock,
    UsSignal,
    check_against_world,
)
from plazasim.world import World, build_world
from plazasim.world.world import ALLIED, NEUTRAL, RIVAL


@dataclass(frozen=True)
class RunResult(RunTables):
    """Tables and manifest of one run (see README, "Outputs"), plus the world it ran on."""

    world: World


def resolve_policies(scenario: Scenario) -> list[tuple[int, Policy]]:
    """The policy timeline as (first week, policy instance)."""
    start = scenario.scenario.start
    return [(max(week_of(start, entry.from_), 0), make_policy(entry.name, entry.params))
            for entry in scenario.policy]


def _region(world: World, states: list[str], plazas: list[str]) -> np.ndarray:
    """Plaza indices in the given 2-digit state codes plus the given plazas, sorted."""
    chosen = np.isin(world.state, states)
    for code in plazas:
        chosen[world.plaza_index(code)] = True
    return np.flatnonzero(chosen)


_MULTIPLIER_OF = {"supply_shock": "supply_mult", "arms_flow": "lethality_mult",
                  "capacity": "capacity_mult"}


def resolve_events(scenario: Scenario, world: World) -> list[tuple[int, Event]]:
    """Scenario events as (week, model event), in date order, plazas turned into indices.

    An event with an ``end`` becomes two model events, its start and its end (if
    the end falls inside the run). Defaults left open in the file
    (``intelligence``, ``ops_per_week``) are filled from the scenario parameters.
    """
    start = scenario.scenario.start
    params = scenario.parameters
    out: list[tuple[int, Event]] = []
    order = sorted(range(len(scenario.events)), key=lambda i: scenario.events[i].date)
    for i in order:
        event = scenario.events[i]
        week = week_of(start, event.date)
        end = getattr(event, "end", None)
        # A period lasts at least one week, even when its end falls in its first week.
        end_week = max(week_of(start, end), week + 1) if end is not None else None
        if isinstance(event, UsSignal):
            out.append((week, UsSignalEvent(event.cartel, world.plaza_index(event.plaza))))
        elif isinstance(event, ImmunityDeal):
            gain = params.deal_intelligence if event.intelligence is None else event.intelligence
            out.append((week, ImmunityDealEvent(i, event.cartel, gain, active=True)))
            if end_week is not None:
                out.append((end_week, ImmunityDealEvent(i, event.cartel, gain, active=False)))
        elif isinstance(event, (KingpinCapture, KingpinKilled)):
            plaza = world.plaza_index(event.plaza) if event.plaza is not None else -1
            killed = isinstance(event, KingpinKilled)
            out.append((week, LeaderRemovalEvent(event.cartel, plaza, killed,
                                                 label=event.kind)))
        elif isinstance(event, MilitaryOperation):
            region = _region(world, event.states, event.plazas)
            ops = params.operation_ops_per_week if event.ops_per_week is None \
                else event.ops_per_week
            # The sources date operations' starts, rarely their ends: a default duration.
            if end_week is None:
                end_week = week + max(round(params.operation_default_weeks), 1)
            aim = make_policy(event.aim) if event.aim is not None else None
            out.append((week, MilitaryOperationEvent(i, region, ops, active=True, aim=aim)))
            out.append((end_week, MilitaryOperationEvent(i, region, ops, active=False)))
        elif isinstance(event, Split):
            region = _region(world, event.states, []) if event.states else None
            out.append((week, SplitEvent(event.cartel, event.new, event.share, region)))
        elif isinstance(event, (Alliance, Rivalry)):
            relation = (RIVAL if isinstance(event, Rivalry)
                        else NEUTRAL if event.broken else ALLIED)
            out.append((week, RelationEvent(event.cartel, event.other, relation,
                                            label=event.kind)))
        elif isinstance(event, Incursion):
            plazas = np.array(sorted(world.plaza_index(code) for code in event.plazas))
            out.append((week, IncursionEvent(event.cartel, plazas)))
        elif isinstance(event, Absorb):
            out.append((week, AbsorbEvent(event.cartel, event.other)))
        elif isinstance(event, (SupplyShock, ArmsFlow, Capacity)):
            attr = _MULTIPLIER_OF[event.kind]
            out.append((week, MultiplierEvent(attr, i, event.factor, active=True,
                                              label=event.kind)))
            if end_week is not None:
                out.append((end_week, MultiplierEvent(attr, i, event.factor, active=False,
                                                      label=event.kind)))
        else:  # pragma: no cover - the schema union and this dispatch must stay in step
            raise TypeError(f"no model event for {type(event).__name__}")
    out.sort(key=lambda item: item[0])  # stable: same-week events keep date/file order
    return out


def run_scenario(
    scenario: Scenario,
    *,
    progress: Callable[[int, int], None] | None = None,
    world: World | None = None,
    posterior_draw: int | None = None,
) -> RunResult:
    """Run one scenario with its own seed and return its tables.

    With ``posterior_draw`` = *k* the run uses the parameter values of draw *k* of
    the scenario's posterior sample (:mod:`plazasim.experiments.posterior`), and
    the manifest's ``posterior`` records the draw, the file's path and SHA-256.
    """
    posterior: dict[str, Any] | None = None
    if posterior_draw is not None:
        from plazasim.experiments.posterior import posterior_record, with_posterior_draw

        record = posterior_record(scenario, [posterior_draw])
        posterior = {"draw": record.pop("draws")[0], **record}
        scenario = with_posterior_draw(scenario, posterior_draw)
    world = world if world is not None else build_world(scenario.world)
    check_against_world(scenario, world)
    meta = scenario.scenario
    n_weeks = weeks_between(meta.start, meta.end)
    t0 = time.perf_counter()
    sim = simulate(
        world,
        scenario.parameters,
        start=meta.start,
        n_weeks=n_weeks,
        policies=resolve_policies(scenario),
        events=resolve_events(scenario, world),
        seed=meta.seed,
        progress=progress,
    )
    wall = time.perf_counter() - t0
    national = sim.recorder.national_frame(sim.dates)
    plazas = sim.recorder.plaza_frame(sim.dates)
    cartels = sim.recorder.cartel_frame(sim.dates)
    manifest = {
        "scenario": scenario.to_dict(),
        "seed": meta.seed,
        "posterior": posterior,
        "weeks": n_weeks,
        "plazasim_version": plazasim.__version__,
        "python": platform.python_version(),
        "wall_time_s": round(wall, 3),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "events": [{"week": e.week, "date": sim.dates[e.week].isoformat()
                    if e.week < len(sim.dates) else None,
                    "kind": e.label, "applied": e.applied} for e in sim.event_log],
        "world": {"name": world.name, "plazas": world.n_plazas,
                  "links": int(world.edge_src.size), "notes": list(world.notes)},
    }
    return RunResult(national=national, plazas=plazas, cartels=cartels, manifest=manifest,
                     world=world)
