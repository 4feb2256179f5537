"""One scenario, simulated: build (or reuse) its world, check it, resolve it, run it.

Every command that runs a scenario goes through :func:`simulate_scenario` (``run``,
``compare``, ``validate``, ``prior-predictive``, the calibration and the posterior
predictive), so "a scenario and a seed" means the same run everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from plazasim.errors import PlazasimError
from plazasim.events import resolve_events
from plazasim.model.engine import Event, Simulation, simulate, week_of, weeks_between
from plazasim.model.operations import EnforcementPolicy
from plazasim.model.params import Parameters
from plazasim.policies import make_policy
from plazasim.scenario import Scenario, check_against_world
from plazasim.world import World, build_world

__all__ = ["resolve_policies", "scenario_events", "simulate_scenario", "world_of"]

#: Worlds built in this process, by their ``[world]`` table as JSON (a few at most).
_WORLDS: dict[str, World] = {}


def world_of(scenario: Scenario) -> World:
    """Build a scenario's world once per process (worlds are immutable; runs never change them).

    A world builder's ``ValueError`` ("world.<field>: problem") becomes a
    :class:`~plazasim.errors.PlazasimError` with that one line.
    """
    key = scenario.world.model_dump_json()
    if key not in _WORLDS:
        try:
            world = build_world(scenario.world)
        except ValueError as exc:
            raise PlazasimError(str(exc)) from None
        if len(_WORLDS) >= 8:
            _WORLDS.pop(next(iter(_WORLDS)))
        _WORLDS[key] = world
    return _WORLDS[key]


def resolve_policies(scenario: Scenario) -> list[tuple[int, EnforcementPolicy]]:
    """The policy timeline as (first week, a new policy instance)."""
    start = scenario.scenario.start
    return [
        (max(week_of(start, entry.from_), 0), make_policy(entry.name, entry.params))
        for entry in scenario.policy
    ]


def scenario_events(scenario: Scenario, world: World) -> list[tuple[int, Event]]:
    """Scenario events as (week, model event), in date order.

    See :func:`plazasim.events.resolve_events`: each event kind says what it becomes.
    """
    return resolve_events(
        scenario.events, world, start=scenario.scenario.start, params=scenario.parameters
    )


def simulate_scenario(
    scenario: Scenario,
    *,
    world: World | None = None,
    params: Parameters | None = None,
    extra_events: Sequence[tuple[int, Event]] = (),
    progress: Callable[[int, int], None] | None = None,
    record_plazas: bool = True,
) -> Simulation:
    """Simulate ``scenario`` from its start to its end with its own seed.

    Args:
        scenario: the validated scenario (policies, events, parameters, seed).
        world: the world to run on (default: the scenario's, built once per process
            by :func:`world_of`); the scenario's names are checked against it.
        params: parameters to use instead of the scenario's (an experiment's arm).
        extra_events: model events added to the scenario's, e.g. an experiment's
            treatment; same-week events keep the scenario's first.
        progress: called with (weeks done, weeks) after each week.
        record_plazas: keep the per-plaza table (large); off for summaries only.

    """
    world = world_of(scenario) if world is None else world
    check_against_world(scenario, world)
    meta = scenario.scenario
    events = scenario_events(scenario, world)
    if extra_events:
        events = sorted([*events, *extra_events], key=lambda item: item[0])
    return simulate(
        world,
        scenario.parameters if params is None else params,
        start=meta.start,
        n_weeks=weeks_between(meta.start, meta.end),
        policies=resolve_policies(scenario),
        events=events,
        seed=meta.seed,
        progress=progress,
        record_plazas=record_plazas,
    )
