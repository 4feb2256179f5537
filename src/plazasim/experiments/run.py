"""One seeded run of a scenario: resolve it against its world, simulate, tabulate.

``run_scenario`` is what ``plazasim run`` calls; it returns the three tables and
a manifest that says exactly what produced them (scenario as resolved, seed,
provenance (versions, git commit), wall time, and the posterior draw if one was used), so a
result can always be traced and repeated.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from plazasim.experiments.simulate import simulate_scenario, world_of
from plazasim.provenance import provenance
from plazasim.results.store import RunTables
from plazasim.scenario import Scenario
from plazasim.world import World

__all__ = ["RunResult", "run_scenario"]


@dataclass(frozen=True)
class RunResult(RunTables):
    """Tables and manifest of one run (see README, "Outputs"), plus the world it ran on."""

    world: World


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
    world = world if world is not None else world_of(scenario)
    meta = scenario.scenario
    t0 = time.perf_counter()
    sim = simulate_scenario(scenario, world=world, progress=progress)
    wall = time.perf_counter() - t0
    n_weeks = len(sim.dates)
    national = sim.recorder.national_frame(sim.dates)
    plazas = sim.recorder.plaza_frame(sim.dates)
    cartels = sim.recorder.cartel_frame(sim.dates)
    manifest = {
        "scenario": scenario.to_dict(),
        "seed": meta.seed,
        "posterior": posterior,
        "weeks": n_weeks,
        **provenance(),
        "wall_time_s": round(wall, 3),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "events": [
            {
                "week": e.week,
                "date": sim.dates[e.week].isoformat() if e.week < len(sim.dates) else None,
                "kind": e.label,
                "applied": e.applied,
            }
            for e in sim.event_log
        ],
        "world": {
            "name": world.name,
            "plazas": world.n_plazas,
            "links": int(world.edge_src.size),
            "notes": list(world.notes),
        },
    }
    return RunResult(
        national=national, plazas=plazas, cartels=cartels, manifest=manifest, world=world
    )
