"""Posterior predictive runs: the calibrated scenario, re-run on posterior draws.

A fit is judged by what the fitted model *does*, not by its distance alone: the
fit report (:mod:`plazasim.calibration.fit_report`) sets the runs of
:func:`posterior_predictive` beside the record. Each of the first ``draws`` rows
of ``posterior.parquet`` (a random subset: the rows are shuffled when written)
runs with ``seeds`` simulation seeds, so the spread of the runs carries both what
the data leave uncertain and the model's own noise.

Run ``(i, j)`` (draw ``i``, replicate ``j``) uses simulation seed
``settings.seed + SEED_STRIDE * i + j`` (:func:`run_seed`): distinct for every
pair while ``seeds <= SEED_STRIDE``, and independent of ``draws``, so a report on
more draws repeats the runs of a smaller one.

Unlike a calibration run, which stops at the record's last day, a predictive run
covers the scenario's whole period (Mexico: December 2006 to December 2012).
Everything after the record (2011-2012 in Mexico) is a forecast that no observed
value shaped.

Runs go through :func:`~plazasim.experiments.parallel.map_tasks`, so the frame is
the same whatever the number of workers; each task sends back a few hundred
numbers (the summaries), never the plaza table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from plazasim.calibration.summaries import SummarySpec, month_labels, simulated_summaries
from plazasim.errors import PlazasimError
from plazasim.scenario import Scenario

if TYPE_CHECKING:
    from plazasim.calibration.abc_smc import Settings

__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_SEEDS",
    "PREDICTIVE_BLOCKS",
    "SEED_STRIDE",
    "PredictiveTask",
    "covered_period",
    "posterior_predictive",
    "predictive_spec",
    "run_predictive",
    "run_seed",
]

#: Posterior draws run when not told (fewer if the posterior is smaller).
DEFAULT_DRAWS = 50
#: Simulation seeds per draw when not told.
DEFAULT_SEEDS = 2
#: Seeds of consecutive draws are this far apart, so at most this many seeds per draw.
SEED_STRIDE = 1000
#: Blocks of the predictive frame: persons per month (``national_*``, ``plaza_homicides``,
#: label ``YYYY-MM``), persons per year (``state_*``, label ``state:year``) and armed
#: cartel members in the year's last simulated week (``members``, label the year).
PREDICTIVE_BLOCKS = (
    "national_related",
    "national_homicides",
    "plaza_homicides",
    "state_related",
    "state_homicides",
    "members",
)


def run_seed(base: int, draw: int, replicate: int) -> int:
    """Simulation seed of draw ``draw``'s replicate ``replicate`` (see the module docstring)."""
    return base + SEED_STRIDE * draw + replicate


def covered_period(start: dt.date, end: dt.date) -> tuple[list[str], list[int]]:
    """Months (``YYYY-MM``) and calendar years that a run from ``start`` to ``end`` covers whole.

    The engine simulates every week starting in ``[start, end]``, so the days
    covered run from ``start`` to the last week's sixth day. A month or year only
    partly covered (Mexico: the year 2006, from 1 December) is left out: its
    total would look like a fall that never happened.
    """
    from plazasim.model.engine import weeks_between

    last_day = start + dt.timedelta(days=7 * (weeks_between(start, end) - 1) + 6)
    first_month = (
        (start.year, start.month)
        if start.day == 1
        else ((start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1))
    )
    next_day = last_day + dt.timedelta(days=1)
    last_month = (
        (last_day.year, last_day.month)
        if next_day.month != last_day.month
        else (
            (last_day.year - 1, 12) if last_day.month == 1 else (last_day.year, last_day.month - 1)
        )
    )
    months = (
        month_labels(
            f"{first_month[0]:04d}-{first_month[1]:02d}", f"{last_month[0]:04d}-{last_month[1]:02d}"
        )
        if first_month <= last_month
        else []
    )
    first_year = start.year if (start.month, start.day) == (1, 1) else start.year + 1
    last_year = last_day.year if (last_day.month, last_day.day) == (12, 31) else last_day.year - 1
    return months, list(range(first_year, last_year + 1))


def predictive_spec(spec: SummarySpec, scenario: Scenario) -> SummarySpec:
    """``spec`` (the calibration's layout) stretched over the whole run of ``scenario``.

    Same states and plaza; every month and calendar year the run covers whole
    (:func:`covered_period`); no members year (:func:`run_predictive` records the
    members at the end of every year instead).
    """
    months, years = covered_period(scenario.scenario.start, scenario.scenario.end)
    if not months or not years:
        raise PlazasimError(
            f"scenario: {scenario.scenario.start} to {scenario.scenario.end} "
            "covers no whole calendar year to report on"
        )
    return SummarySpec(
        months=tuple(months),
        years=tuple(years),
        states=spec.states,
        plaza=spec.plaza,
        members_year=None,
    )


@dataclass(frozen=True)
class PredictiveTask:
    """One predictive run: the scenario with a draw's parameters and seed applied."""

    scenario: Scenario
    spec: SummarySpec
    draw: int
    seed: int


def run_predictive(task: PredictiveTask) -> dict[str, np.ndarray]:
    """Simulate ``task.scenario`` (its own seed); return its blocks (float64 arrays).

    A pure function of the task: what :func:`posterior_predictive` sends to
    workers. ``members`` holds the armed members of all cartels in the last
    simulated week of each of ``task.spec.years`` (persons).
    """
    from plazasim.experiments.simulate import simulate_scenario, world_of

    scenario = task.scenario
    world = world_of(scenario)
    sim = simulate_scenario(scenario, world=world)
    out = simulated_summaries(sim.recorder, sim.dates, world, task.spec)
    year_of_week = np.array([d.year for d in sim.dates])
    members = np.asarray(sim.recorder.national["members"], dtype=np.float64)
    out["members"] = np.array(
        [members[np.flatnonzero(year_of_week == y)[-1]] for y in task.spec.years]
    )
    return out


def _labels(spec: SummarySpec, block: str) -> list[str]:
    return [str(y) for y in spec.years] if block == "members" else spec.labels(block)


def _tidy(
    results: list[dict[str, np.ndarray]], tasks: list[PredictiveTask], spec: SummarySpec
) -> pd.DataFrame:
    """One row per (run, block, label): the long frame :func:`posterior_predictive` returns."""
    blocks = [b for b in PREDICTIVE_BLOCKS if b != "plaza_homicides" or spec.plaza is not None]
    labels = {b: _labels(spec, b) for b in blocks}
    per_run = sum(len(v) for v in labels.values())
    n = len(tasks)
    values = (
        np.concatenate([np.asarray(r[b], dtype=np.float64) for r in results for b in blocks])
        if n
        else np.zeros(0)
    )
    block_col = np.concatenate([np.repeat(b, len(labels[b])) for b in blocks])
    label_col = np.concatenate([np.asarray(labels[b], dtype=object) for b in blocks])
    return pd.DataFrame(
        {
            "draw": np.repeat(np.array([t.draw for t in tasks], dtype=np.int64), per_run),
            "seed": np.repeat(np.array([t.seed for t in tasks], dtype=np.int64), per_run),
            "block": np.tile(block_col, n).astype(object),
            "label": np.tile(label_col, n),
            "value": values,
        }
    )


def posterior_predictive(
    settings: Settings,
    posterior: pd.DataFrame,
    *,
    draws: int | None = None,
    seeds: int = DEFAULT_SEEDS,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Run the first ``draws`` posterior rows ``seeds`` times each over the whole period.

    ``settings`` is a calibration's :class:`~plazasim.calibration.abc_smc.Settings`
    and ``posterior`` its ``posterior.parquet`` (one row per draw, a column per
    calibrated parameter). Returns a long frame ``draw, seed, block, label,
    value``: ``seed`` is the run's simulation seed (:func:`run_seed`), ``block``
    one of :data:`PREDICTIVE_BLOCKS`, ``value`` persons per month, per year, or
    members. Rows are ordered by draw, then seed, whatever ``workers``. Bad input
    raises :class:`~plazasim.errors.PlazasimError` before anything runs.
    """
    from plazasim.experiments.parallel import map_tasks
    from plazasim.experiments.priors import apply_draw, require_priors

    size = len(posterior)
    draws = min(DEFAULT_DRAWS, size) if draws is None else draws
    _check_count("draws", draws, 1, size, f"the posterior holds {size} draws")
    _check_count("seeds", seeds, 1, SEED_STRIDE, "seeds of one draw must not reach the next")
    _check_count("workers", workers, 1, None, "")
    scenario = settings.scenario_object()
    spec = predictive_spec(settings.spec_object(), scenario)
    names = list(require_priors(scenario))
    missing = [n for n in names if n not in posterior.columns]
    if missing:
        raise PlazasimError(f"posterior: no column for calibrated parameter {missing[0]!r}")
    tasks = [
        PredictiveTask(
            apply_draw(scenario, _values(posterior, i, names), seed=run_seed(settings.seed, i, j)),
            spec,
            i,
            run_seed(settings.seed, i, j),
        )
        for i in range(draws)
        for j in range(seeds)
    ]
    results = map_tasks(
        run_predictive, tasks, workers, progress=progress, name="plazasim-predictive"
    )
    return _tidy(results, tasks, spec)


def _values(posterior: pd.DataFrame, row: int, names: list[str]) -> Mapping[str, float | int]:
    """Parameter values of posterior row ``row``, read column by column so integers stay so."""
    return {name: posterior[name].iloc[row].item() for name in names}


def _check_count(name: str, value: object, low: int, high: int | None, why: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise PlazasimError(f"{name}: must be an integer (got {value!r})")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f">= {low}"
        raise PlazasimError(f"{name}: must be {bound} (got {value}){'; ' + why if why else ''}")
