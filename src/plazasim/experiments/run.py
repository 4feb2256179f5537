"""One seeded run of a scenario: resolve it against its world, simulate, tabulate.

``run_scenario`` is what ``plazasim run`` calls; it returns the three tables and
a manifest that says exactly what produced them (scenario as resolved, seed,
package version, wall time), so a result can always be traced and repeated.
"""

from __future__ import annotations

import datetime as dt
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass

import plazasim
from plazasim.model.engine import Event, simulate, week_of, weeks_between
from plazasim.model.events import UsSignalEvent
from plazasim.policies import make_policy
from plazasim.policies.base import Policy
from plazasim.results.store import RunTables
from plazasim.scenario import Scenario, UsSignal, check_against_world
from plazasim.world import World, build_world


@dataclass(frozen=True)
class RunResult(RunTables):
    """Tables and manifest of one run (see README, "Outputs"), plus the world it ran on."""

    world: World


def resolve_policies(scenario: Scenario) -> list[tuple[int, Policy]]:
    """The policy timeline as (first week, policy instance)."""
    start = scenario.scenario.start
    return [(max(week_of(start, entry.from_), 0), make_policy(entry.name, entry.params))
            for entry in scenario.policy]


def resolve_events(scenario: Scenario, world: World) -> list[tuple[int, Event]]:
    """Scenario events as (week, event) with cartel and plaza names turned into indices."""
    start = scenario.scenario.start
    out: list[tuple[int, Event]] = []
    for event in scenario.events:
        week = week_of(start, event.date)
        if isinstance(event, UsSignal):
            out.append((week, UsSignalEvent(cartel=world.cartel_index(event.cartel),
                                            plaza=world.plaza_index(event.plaza))))
    return out


def run_scenario(
    scenario: Scenario,
    *,
    progress: Callable[[int, int], None] | None = None,
    world: World | None = None,
) -> RunResult:
    """Run one scenario with its own seed and return its tables."""
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
        "weeks": n_weeks,
        "plazasim_version": plazasim.__version__,
        "python": platform.python_version(),
        "wall_time_s": round(wall, 3),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "world": {"name": world.name, "plazas": world.n_plazas,
                  "links": int(world.edge_src.size), "notes": list(world.notes)},
    }
    return RunResult(national=national, plazas=plazas, cartels=cartels, manifest=manifest,
                     world=world)
