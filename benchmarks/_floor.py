"""What a week costs before it does any work: calls made, and time in scipy's Dijkstra.

Why: the ">= 50x faster than the Mesa model" target gives plazasim ``Mesa ms/week /
50`` per week. This measures, on the Mesa comparison's Mexico world (the bench
scenario without events, first 104 weeks), the two costs a NumPy step cannot
shrink by working on fewer cells: the route searches, already in C, and the
number of calls a week makes (each costs a microsecond or more before its array
work). The calls are counted with ``sys.setprofile`` in a separate run, so the
counting does not slow the timed runs.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import plazasim.model.routing as routing
from plazasim.experiments.simulate import resolve_policies
from plazasim.model.engine import simulate
from plazasim.scenario import Scenario
from plazasim.world import build_world


def _run(scenario: Scenario, weeks: int) -> None:
    meta = scenario.scenario
    simulate(
        build_world(scenario.world),
        scenario.parameters,
        start=meta.start,
        n_weeks=weeks,
        policies=resolve_policies(scenario),
        seed=meta.seed,
    )


def per_week_floor(
    scenario: Scenario, weeks: int, repeats: int, mesa_ms_per_week: float | None
) -> dict[str, Any]:
    """Dijkstra ms/week (fastest of ``repeats`` runs), calls per week, and the 50x budget."""
    dijkstra = routing.dijkstra
    spent = [0.0]
    calls = [0]

    def timed_dijkstra(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return dijkstra(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - t0
            calls[0] += 1

    best = float("inf")
    routing.dijkstra = timed_dijkstra  # type: ignore[assignment]
    try:
        for _ in range(repeats):
            spent[0], calls[0] = 0.0, 0
            _run(scenario, weeks)
            best = min(best, spent[0])
    finally:
        routing.dijkstra = dijkstra
    counted = {"call": 0, "c_call": 0}

    def count(_frame: Any, event: str, _arg: Any) -> None:
        if event in counted:
            counted[event] += 1

    sys.setprofile(count)
    try:
        _run(scenario, weeks)
    finally:
        sys.setprofile(None)
    return {
        "weeks": weeks,
        "dijkstra_calls": calls[0],
        "dijkstra_ms_per_week": round(1000 * best / weeks, 3),
        "python_calls_per_week": counted["call"] // weeks,
        "c_calls_per_week": counted["c_call"] // weeks,
        "budget_ms_per_week_at_50x": None
        if mesa_ms_per_week is None
        else round(mesa_ms_per_week / 50, 3),
    }
