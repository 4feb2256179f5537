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

import plazasim
from plazasim.events import resolve_events as resolve_scenario_events
from plazasim.model.engine import Event, simulate, week_of, weeks_between
from plazasim.model.operations import EnforcementPolicy
from plazasim.policies import make_policy
from plazasim.results.store import RunTables
from plazasim.scenario import Scenario, check_against_world
from plazasim.world import World, build_world


@dataclass(frozen=True)
class RunResult(RunTables):
    """Tables and manifest of one run (see README, "Outputs"), plus the world it ran on."""

    world: World


def resolve_policies(scenario: Scenario) -> list[tuple[int, EnforcementPolicy]]:
    """The policy timeline as (first week, policy instance)."""
    start = scenario.scenario.start
    return [(max(week_of(start, entry.from_), 0), make_policy(entry.name, entry.params))
            for entry in scenario.policy]


def resolve_events(scenario: Scenario, world: World) -> list[tuple[int, Event]]:
    """Scenario events as (week, model event), in date order.

    See :func:`plazasim.events.resolve_events`: each event kind says what it becomes.
    """
    return resolve_scenario_events(scenario.events, world, start=scenario.scenario.start,
                                   params=scenario.parameters)


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
