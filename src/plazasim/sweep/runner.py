"""Run a sweep: plan every run, skip the finished ones, execute the rest, store each at once.

Run ``run_id`` = ``point_id`` × replications + ``replicate``; its seed comes from
the sweep seed and the run id through :class:`numpy.random.SeedSequence`
(``SeedSequence(seed, spawn_key=(run_id,))``), so a run's numbers depend on
neither the number of workers nor the order in which runs finish. Runs go to
``dask.distributed``: in-process for one worker, a LocalCluster
(:func:`plazasim.experiments.parallel.local_client`) for several, or any running
scheduler. The client writes each result as it arrives
(:func:`plazasim.sweep.store.write_run_file`), so an interrupted sweep keeps all
it finished and a second call completes it.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from plazasim.errors import PlazasimError, ScenarioError
from plazasim.experiments.compare import METRICS, metrics_of
from plazasim.experiments.parallel import local_client, plugin_call, watched_ctrl_c
from plazasim.scenario import Scenario, check_against_world, load_scenario, with_overrides
from plazasim.sweep.design import Design, make_design
from plazasim.sweep.spec import POLICY, SweepSpec, resolve_priors
from plazasim.sweep.store import RUNS, SERIES, finished_runs, open_sweep_dir, write_run_file
from plazasim.world import World, build_world

__all__ = [
    "RunTask",
    "SweepPlan",
    "SweepResult",
    "plan_sweep",
    "point_scenario",
    "prepare_sweep_dir",
    "run_seed",
    "run_sweep",
    "run_task",
]


#: Second spawn-key element of common seeds, so they never equal a run's own seed.
_COMMON = 0x43524E


def run_seed(sweep_seed: int, run_id: int, *, common_replicate: int | None = None) -> int:
    """The seed of run ``run_id``: 32 bits of ``SeedSequence(sweep_seed, spawn_key=(run_id,))``.

    With ``common_replicate`` = r (spec ``common_seeds = true``) the seed is that of
    replicate r instead, the same at every point (``spawn_key=(r, 0x43524E)``):
    common random numbers, so differences between points are not seed noise.
    """
    key = (run_id,) if common_replicate is None else (common_replicate, _COMMON)
    state = np.random.SeedSequence(sweep_seed, spawn_key=key).generate_state(1, np.uint32)
    return int(state[0])


@dataclass(frozen=True)
class RunTask:
    """One run: its ids, seed, factor values and the scenario they make (picklable)."""

    run_id: int
    point_id: int
    replicate: int
    seed: int
    values: dict[str, Any]
    scenario: Scenario
    outputs: tuple[str, ...]
    series: bool


@dataclass(frozen=True)
class RunOutcome:
    """What a worker sends back: the run's row and, if asked for, its weekly series."""

    run_id: int
    row: dict[str, Any]
    series: pd.DataFrame | None


#: Worlds built in this process, by their ``[world]`` table as JSON.
_WORLDS: dict[str, World] = {}


def _world(scenario: Scenario) -> World:
    key = scenario.world.model_dump_json()
    if key not in _WORLDS:
        if len(_WORLDS) >= 4:
            _WORLDS.pop(next(iter(_WORLDS)))
        try:
            _WORLDS[key] = build_world(scenario.world)
        except ValueError as exc:  # world builders report "world.<field>: problem"
            raise PlazasimError(str(exc)) from None
    return _WORLDS[key]


def _simulate(scenario: Scenario) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Run one scenario: (national table, cartel table, plazas). The one call of the engine."""
    from plazasim.experiments.run import run_scenario

    world = _world(scenario)
    result = run_scenario(scenario, world=world)
    return result.national, result.cartels, world.n_plazas


def run_task(task: RunTask) -> RunOutcome:
    """Simulate one run and return its row (ids, seed, factors, outputs): the worker's job."""
    national, cartels, n_plazas = _simulate(task.scenario)
    metrics = metrics_of(national, cartels, n_plazas)
    row = {
        "run_id": task.run_id,
        "point_id": task.point_id,
        "replicate": task.replicate,
        "seed": task.seed,
        **task.values,
        **{name: metrics[name] for name in task.outputs},
    }
    series = (
        national.assign(run_id=task.run_id)[["run_id", *national.columns]] if task.series else None
    )
    return RunOutcome(task.run_id, row, series)


def point_scenario(base: Scenario, values: dict[str, Any], seed: int) -> Scenario:
    """``base`` with one point's factor values and a run's seed: the one place they are set."""
    policy = values.get(POLICY)
    parameters = {name: value for name, value in values.items() if name != POLICY}
    return with_overrides(
        base, seed=seed, policy=policy, parameters=parameters if parameters else None
    )


@dataclass(frozen=True)
class SweepPlan:
    """Everything a sweep will run, decided before anything runs."""

    spec: SweepSpec
    base: Scenario
    design: Design
    tasks: tuple[RunTask, ...]

    @property
    def identity(self) -> dict[str, Any]:
        """What a sweep folder must record to be resumed by this plan."""
        return {
            "spec_sha256": self.spec.digest(),
            "scenario_sha256": hashlib.sha256(self.base.model_dump_json().encode()).hexdigest(),
        }


def plan_sweep(spec: SweepSpec) -> SweepPlan:
    """Load the scenario, draw the design and build every run's scenario (errors come now)."""
    try:
        base = load_scenario(spec.sweep.scenario)
        if spec.sweep.until is not None:
            base = with_overrides(base, until=spec.sweep.until)
    except ScenarioError as exc:
        where = "sweep.until" if exc.path == "until" else f"sweep.scenario ({exc.path})"
        raise ScenarioError.at(where, exc.problem) from None
    check_against_world(base, _world(base))
    spec = resolve_priors(spec, base)
    design = make_design(spec)
    reps = spec.sweep.replications
    names = list(spec.factors)
    tasks = []
    # records, not itertuples: a dotted factor name ("world.plazas") is no attribute name
    for point_id, row in zip(
        design.points["point_id"], design.points[names].to_dict("records"), strict=True
    ):
        values = {name: _plain(row[name]) for name in names}
        for replicate in range(reps):
            run_id = int(point_id) * reps + replicate
            seed = run_seed(
                spec.sweep.seed,
                run_id,
                common_replicate=replicate if spec.sweep.common_seeds else None,
            )
            try:
                scenario = point_scenario(base, values, seed)
            except ScenarioError as exc:
                path = exc.path if exc.path.startswith("parameters.") else f"parameters.{exc.path}"
                raise ScenarioError.at(path, f"{exc.problem} (point {point_id})") from None
            tasks.append(
                RunTask(
                    run_id,
                    int(point_id),
                    replicate,
                    seed,
                    values,
                    scenario,
                    spec.sweep.outputs,
                    spec.sweep.series,
                )
            )
    return SweepPlan(spec, base, design, tuple(tasks))


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


@dataclass(frozen=True)
class SweepResult:
    """How a call of :func:`run_sweep` went."""

    out_dir: Path
    total: int
    skipped: int
    ran: int
    workers: int
    wall_time_s: float
    resumed: bool


def _connect(scheduler: str) -> Any:
    from distributed import Client

    try:
        return Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise PlazasimError(f"scheduler: cannot connect to {scheduler}: {reason}") from None


#: Runs in flight per worker: enough to keep workers busy, few enough that a sweep of
#: many thousand runs does not hold every run's scenario in the scheduler at once.
IN_FLIGHT_PER_WORKER = 4


def _drain(
    client: Any,
    tasks: Sequence[RunTask],
    prefix: str,
    workers: int,
    on_done: Callable[[RunOutcome], None],
) -> None:
    """Run every task, a bounded window at a time; handle each result as it finishes."""
    from distributed import as_completed

    call = plugin_call(run_task)
    pending = iter(tasks)

    def submit(task: RunTask) -> Any:
        return client.submit(call, task, key=f"{prefix}-{task.run_id}")

    window = max(IN_FLIGHT_PER_WORKER * workers, 8)
    with watched_ctrl_c() as check:
        running = as_completed([submit(t) for t in itertools.islice(pending, window)])
        for future in running:
            check()  # a Ctrl-C a finalizer swallowed stops the sweep here
            on_done(future.result())
            future.release()
            following = next(pending, None)
            if following is not None:
                running.add(submit(following))


def prepare_sweep_dir(plan: SweepPlan, out_dir: str | Path) -> bool:
    """Create ``out_dir`` for ``plan`` or check it holds the same sweep; True if it did.

    :func:`run_sweep` calls it first; a command line calls it before showing progress,
    so a folder that cannot be used is refused before anything else happens.
    """
    spec = plan.spec
    extra = {
        "spec": spec.to_dict(),
        "scenario": plan.base.scenario.name,
        "points": len(plan.design.points),
        "runs": len(plan.tasks),
        "outputs": {
            name: {"unit": METRICS[name][0], "meaning": METRICS[name][1]}
            for name in spec.sweep.outputs
        },
    }
    folders = (RUNS, SERIES) if spec.sweep.series else (RUNS,)
    return open_sweep_dir(
        Path(out_dir).absolute(), plan.identity, extra, plan.design.points, folders
    )


def run_sweep(
    plan: SweepPlan,
    out_dir: str | Path,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SweepResult:
    """Run every run of ``plan`` not yet finished in ``out_dir``; store each as it finishes.

    The folder is created (or checked to hold this same sweep) and written to before
    any simulation. ``workers`` > 1 starts a local Dask cluster; ``scheduler`` (an
    address such as ``tcp://10.0.0.5:8786``) uses a running one instead.
    ``progress(done, total)`` counts finished runs, earlier sessions' included.
    """
    out_dir = Path(out_dir).absolute()
    resumed = prepare_sweep_dir(plan, out_dir)
    done = finished_runs(out_dir)
    todo = [t for t in plan.tasks if t.run_id not in done]
    total, count = len(plan.tasks), len(plan.tasks) - len(todo)
    if progress is not None:
        progress(count, total)

    def on_done(outcome: RunOutcome) -> None:
        nonlocal count
        write_run_file(out_dir, outcome.run_id, outcome.row, outcome.series)
        count += 1
        if progress is not None:
            progress(count, total)

    t0 = time.perf_counter()
    used = 1
    if todo and scheduler is not None:
        with _connect(scheduler) as client:
            used = len(client.scheduler_info().get("workers", {})) or 1
            _drain(
                client, todo, f"plazasim-sweep-{plan.identity['spec_sha256'][:12]}", used, on_done
            )
    elif len(todo) > 1 and workers > 1:
        used = min(workers, len(todo))
        with local_client(used) as client:
            _drain(client, todo, "plazasim-sweep", used, on_done)
    else:
        for task in todo:
            on_done(run_task(task))
    return SweepResult(
        out_dir, total, total - len(todo), len(todo), used, time.perf_counter() - t0, resumed
    )
