"""Prior predictive check: run a scenario once per parameter set drawn from its priors.

Before calibrating, ask what the model does across the parameter values its
``[calibration]`` priors allow: if the observed 2007-2010 killings lie outside
the spread of the draws, no calibration within those priors can reach them, and
the priors or the mechanisms must change first (Gelman et al., *Bayesian Data
Analysis*, 3rd ed., 2013, §6.3). :func:`prior_predictive` draws ``n`` parameter
sets (:func:`~plazasim.experiments.priors.sample_priors`, Latin hypercube from
``seed``), runs draw *i* with simulation seed ``seed + i``, and returns one row
per draw with yearly outcomes, summed from the recorder's arrays so that each
task sends back a few hundred numbers rather than the plaza table.

Draws go through :func:`~plazasim.experiments.parallel.map_tasks`, so the table
is the same whatever the number of workers (a script using workers needs an
``if __name__ == "__main__":`` guard).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from plazasim.calibration_spec import ResolvedPrior
from plazasim.errors import PlazasimError
from plazasim.experiments.coverage import coverage_report
from plazasim.experiments.parallel import map_tasks
from plazasim.experiments.priors import apply_draw, require_priors, sample_priors
from plazasim.experiments.simulate import simulate_scenario, world_of
from plazasim.model.engine import week_dates, weeks_between
from plazasim.model.recorder import Recorder
from plazasim.provenance import provenance
from plazasim.results.store import MANIFEST, check_out_dir, manifest_text, write_directory
from plazasim.scenario import Scenario, check_against_world
from plazasim.world import World

__all__ = [
    "COVERAGE_FILE",
    "JUAREZ",
    "OUTCOMES",
    "PRIOR_PLOT",
    "PRIOR_TABLE",
    "PriorPredictiveResult",
    "check_prior_dir",
    "prior_predictive",
    "run_draw",
    "write_prior",
    "yearly_outcomes",
]

#: INEGI code of Ciudad Juárez, Chihuahua: the plaza of the seed's US signal.
JUAREZ = "08037"
PRIOR_TABLE = "prior.parquet"
PRIOR_PLOT = "prior.png"
COVERAGE_FILE = "coverage.json"
#: Outcome columns ``<stem>_<year>`` (``<cve>``: 2-digit state code) -> (unit, meaning).
OUTCOMES: dict[str, tuple[str, str]] = {
    "homicides": ("persons/yr", "all homicides, the non-cartel baseline included (like INEGI)"),
    "related": (
        "persons/yr",
        "cartel + state + bystander killings (like Presidencia's organised-crime deaths)",
    ),
    "cartel": ("persons/yr", "cartel-cartel killings"),
    "state": ("persons/yr", "killed in clashes with state forces"),
    "bystander": ("persons/yr", "residents killed in the crossfire"),
    "members_end": ("members", "armed members of all cartels in the year's last week"),
    "juarez_homicides": ("persons/yr", f"all homicides in Ciudad Juárez ({JUAREZ})"),
    "juarez_related": ("persons/yr", f"cartel-related killings in Ciudad Juárez ({JUAREZ})"),
    "homicides_<cve>": ("persons/yr", "all homicides in the state"),
    "related_<cve>": ("persons/yr", "cartel-related killings in the state"),
}
_RELATED = ("cartel", "state", "bystander")


def yearly_outcomes(recorder: Recorder, dates: Sequence[dt.date], world: World) -> dict[str, float]:
    """Return the :data:`OUTCOMES` of one run, per calendar year, as ``<stem>_<year>``.

    A week counts in the year its first day falls in, so a run from 1 December
    2006 has a ``2006`` year of 5 weeks (1 December to 4 January). National
    counts come from ``recorder.national``; Juárez and state counts from the
    per-plaza ``recorder.homicides_by_type`` (float32, summed in float64).
    """
    years = np.array([d.year for d in dates])
    labels, first = np.unique(years, return_index=True)
    last = np.r_[first[1:], len(years)] - 1

    def by_year(weekly: np.ndarray) -> np.ndarray:
        return np.add.reduceat(np.asarray(weekly, dtype=np.float64), first, axis=0)

    nat = {k: by_year(recorder.national[f"homicides_{k}"]) for k in ("total", *_RELATED)}
    series: dict[str, np.ndarray] = {
        "homicides": nat["total"],
        "related": nat["cartel"] + nat["state"] + nat["bystander"],
        **{k: nat[k] for k in _RELATED},
        "members_end": np.asarray(recorder.national["members"], dtype=np.float64)[last],
    }
    plaza_total = by_year(recorder.homicides_by_type["baseline"])
    plaza_related = np.zeros_like(plaza_total)
    for kind in _RELATED:
        plaza_related = plaza_related + by_year(recorder.homicides_by_type[kind])
    plaza_total = plaza_related + plaza_total
    try:
        p = world.plaza_index(JUAREZ)
    except KeyError:  # a synthetic world
        pass
    else:
        series["juarez_homicides"] = plaza_total[:, p]
        series["juarez_related"] = plaza_related[:, p]
    codes, which = np.unique(world.state, return_inverse=True)
    for stem, per_plaza in (("homicides", plaza_total), ("related", plaza_related)):
        per_state = np.stack(
            [np.bincount(which, weights=row, minlength=codes.size) for row in per_plaza]
        )
        for j, code in enumerate(codes.tolist()):
            series[f"{stem}_{code}"] = per_state[:, j]
    return {
        f"{stem}_{year}": float(values[i])
        for stem, values in series.items()
        for i, year in enumerate(labels.tolist())
    }


def run_draw(scenario: Scenario) -> dict[str, float]:
    """Simulate ``scenario`` with its own seed and return its :func:`yearly_outcomes`.

    A pure function of the scenario: the task :func:`prior_predictive` sends to
    workers. The world is built once per process.
    """
    world = world_of(scenario)
    sim = simulate_scenario(scenario, world=world)
    return yearly_outcomes(sim.recorder, sim.dates, world)


@dataclass(frozen=True)
class PriorPredictiveResult:
    """The draws and what they produced; see :func:`prior_predictive`.

    Attributes:
        frame: ``prior.parquet``: one row per draw, columns ``draw``, ``seed``, one
            per calibrated parameter, then the outcomes ``<stem>_<year>``.
        scenario: the scenario the draws were applied to (after ``--until``).
        priors: the priors drawn from, in full.
        seed: seed of the parameter draws; draw *i* ran with ``seed + i``.
        weeks_per_year: simulated weeks counted in each calendar year.
        observed: the world's observed series, ``{series: {year: value}}``.
        workers: worker processes used (1: in-process).
        wall_time_s: wall-clock time of all runs.

    """

    frame: pd.DataFrame
    scenario: Scenario
    priors: dict[str, ResolvedPrior]
    seed: int
    weeks_per_year: dict[int, int]
    observed: dict[str, dict[int, float]]
    workers: int = 1
    wall_time_s: float = 0.0
    created: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )

    @property
    def years(self) -> list[int]:
        """Simulated calendar years, in order."""
        return sorted(self.weeks_per_year)

    def coverage(self) -> dict[str, Any]:
        """The observed 2007-2010 counts against the draws' 5-95% bands (``coverage.json``)."""
        return coverage_report(self.frame, self.observed, self.weeks_per_year)

    def manifest(self) -> dict[str, Any]:
        """Say what produced the numbers (written as ``manifest.json``)."""
        meta = self.scenario.scenario
        return {
            "kind": "prior_predictive",
            "scenario": self.scenario.to_dict(),
            "priors": {name: prior.to_dict() for name, prior in self.priors.items()},
            "sampling": "latin hypercube over the priors, numpy default_rng(seed)",
            "draws": len(self.frame),
            "seed": self.seed,
            "run_seeds": self.frame["seed"].tolist(),
            "weeks": weeks_between(meta.start, meta.end),
            "weeks_per_year": {str(y): n for y, n in self.weeks_per_year.items()},
            "outcomes": {
                stem: {"unit": unit, "meaning": meaning}
                for stem, (unit, meaning) in OUTCOMES.items()
            },
            "workers": self.workers,
            **provenance(),
            "wall_time_s": round(self.wall_time_s, 3),
            "created": self.created,
        }


def prior_predictive(
    scenario: Scenario,
    draws: int,
    *,
    seed: int | None = None,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> PriorPredictiveResult:
    """Draw ``draws`` parameter sets from ``scenario``'s priors and run each once.

    ``seed`` (default: the scenario's) seeds the Latin hypercube, and draw *i*
    runs with simulation seed ``seed + i``, so the result is reproducible and does
    not depend on ``workers``. Bad input raises
    :class:`~plazasim.errors.PlazasimError` before anything runs.
    """
    priors = require_priors(scenario)
    seed = scenario.scenario.seed if seed is None else seed
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise PlazasimError(f"seed: must be an integer >= 0 (got {seed!r})")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise PlazasimError(f"workers: must be an integer >= 1 (got {workers!r})")
    world = world_of(scenario)
    check_against_world(scenario, world)
    values = sample_priors(priors, draws, seed)
    tasks = [apply_draw(scenario, v, seed=seed + i) for i, v in enumerate(values)]
    t0 = time.perf_counter()
    results = map_tasks(run_draw, tasks, workers, progress=progress, name="plazasim-prior")
    wall = time.perf_counter() - t0
    head = pd.DataFrame(
        {
            "draw": np.arange(draws, dtype=np.int64),
            "seed": np.arange(seed, seed + draws, dtype=np.int64),
        }
    )
    params = pd.DataFrame(values, columns=list(priors))
    outcomes = pd.DataFrame(results, dtype=np.float64)
    frame = pd.concat([head, params, outcomes], axis=1)
    meta = scenario.scenario
    years = [d.year for d in week_dates(meta.start, weeks_between(meta.start, meta.end))]
    return PriorPredictiveResult(
        frame=frame,
        scenario=scenario,
        priors=priors,
        seed=seed,
        weeks_per_year={int(y): years.count(y) for y in sorted(set(years))},
        observed={k: dict(v) for k, v in world.observed.items()},
        workers=min(workers, draws),
        wall_time_s=wall,
    )


def check_prior_dir(out_dir: str | os.PathLike[str]) -> None:
    """Refuse an output path :func:`write_prior` must not replace.

    Like :func:`plazasim.results.store.check_out_dir`; an existing non-empty
    directory must also be an earlier prior predictive check (has
    ``prior.parquet``), so no run or comparison is ever replaced by one.
    """
    check_out_dir(Path(out_dir), marker=PRIOR_TABLE, kind="prior predictive check")


def write_prior(
    result: PriorPredictiveResult,
    out_dir: str | os.PathLike[str],
    *,
    invocation: dict[str, Any] | None = None,
) -> Path:
    """Write ``prior.parquet``, ``prior.png``, ``coverage.json`` and ``manifest.json``.

    Atomically, through :func:`plazasim.results.store.write_directory`: on any
    failure nothing is left behind and an earlier ``out_dir`` is kept.
    ``invocation``, the command that asked for it, goes into the manifest.
    """
    from plazasim.experiments.prior_plot import plot_prior

    out_dir = Path(out_dir).absolute()
    check_prior_dir(out_dir)
    manifest = manifest_text(
        {**result.manifest(), "invocation": invocation}
        if invocation is not None
        else result.manifest()
    )
    coverage = manifest_text(result.coverage())

    def fill(tmp: Path) -> None:
        result.frame.to_parquet(
            tmp / PRIOR_TABLE, engine="pyarrow", compression="zstd", index=False
        )
        plot_prior(result, tmp / PRIOR_PLOT)
        (tmp / COVERAGE_FILE).write_text(coverage, encoding="utf-8")
        (tmp / MANIFEST).write_text(manifest, encoding="utf-8")

    return write_directory(out_dir, fill)
