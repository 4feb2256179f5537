"""Stylized-facts validation: whether the model reproduces published findings.

Each *experiment* is a pair (or triple) of runs on the Mexico world that differ
in one thing, run on the same seeds (common random numbers); each *fact* is one
measured effect of that difference, printed beside the published one. The
measured effect is pooled over seeds (e.g. ``sum(treated) / sum(control) - 1``);
its 90% interval comes from 2,000 paired bootstrap resamples of the seeds (a
fixed bootstrap seed, so the table is reproducible). ``holds`` is computed from
that interval and the fact's stated criterion (mostly the *direction* of the
effect: the calibration fits killings, not the sizes of these effects); it is never
written by hand, and a fact the model fails is reported as failed.

The experiments (all from 1 Dec 2006 on the bundled ``mexico-2006`` scenario,
with its policy timeline and historical events unless stated; their runners are
in :mod:`plazasim.experiments.stylized`):

* ``kingpin`` — a leader of one of the five largest cartels (rotating with the
  seed) is captured in its stronghold on 1 Jun 2007 vs not. Facts: homicides in
  that municipality over 6 months (Calderón et al. 2015, J. Conflict Resolut.:
  about +36%) and 12 months (Lindo & Padilla-Romo 2018, J. Health Econ.: about
  +80%), and in the organisation's other municipalities over 6 months (Lindo &
  Padilla-Romo: about +30%).
* ``crackdown_diversion`` — a sustained military operation (10 operations/week
  from 1 Jun 2007) vs none, in the inland municipality on a cocaine route (not a
  port or crossing) that saw the most cartel violence in the half-year before;
  the diverted-to plazas are the ten whose flow rose most over its pre-event level (Dell 2015,
  AER): violence in that plaza, its cocaine flow, and violence in the ten plazas
  that gain the most flow (where the trade was diverted).
* ``balloon`` — an unconditional crackdown with twice the enforcement capacity vs
  the normal capacity: the number of plazas with cocaine transit in the last 6
  months (Magliocca et al. 2019, PNAS: interdiction spreads trafficking).
* ``supply_shortage`` — cocaine entering falls by 40% for a year from 1 Jun
  2007 vs not (Castillo, Mejía & Restrepo 2020, REStat): the rise of homicides
  in contested border-crossing plazas minus the rise elsewhere.
* ``conditional_vs_crackdown`` — ``conditional`` vs ``crackdown`` policy for the
  whole run to 2010 (Lessing 2015, 2017): state-cartel and cartel-cartel killings.
* ``recruitment`` — recruitment halved vs incapacitation (routine arrests)
  doubled, against the default, to 2010 (Prieto-Curiel, Campedelli & Hope 2023,
  Science): the fall in cartel-related killings in 2010 from cutting recruitment
  minus the fall from raising incapacitation.

With posterior draws (``draws``, :mod:`plazasim.experiments.posterior`) every
experiment runs draw *i* of the base scenario's posterior sample with seed *s*,
for every draw and seed: both arms of a pair share the parameters and the seed.
The effect is then pooled over all (draw, seed) pairs and the bootstrap
resamples those pairs, so the interval carries the uncertainty of the fit.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from plazasim.errors import PlazasimError
from plazasim.experiments.parallel import map_tasks
from plazasim.experiments.posterior import posterior_record, with_posterior_draw
from plazasim.experiments.stylized import (
    RUNNERS,
    ExperimentTask,
    base_scenario,
    run_experiment,
)
from plazasim.provenance import provenance
from plazasim.results.store import MANIFEST, check_out_dir, manifest_text, write_directory
from plazasim.scenario import Scenario

__all__ = [
    "BOOTSTRAP",
    "COLUMNS",
    "EXPERIMENTS",
    "FACTS",
    "SAMPLE_COLUMNS",
    "VALIDATION_SAMPLES",
    "VALIDATION_TABLE",
    "Fact",
    "ValidationResult",
    "check_validation_dir",
    "effect",
    "holds",
    "interval",
    "run_experiment",
    "validate",
    "write_validation",
]

#: Columns of ``validation.parquet``.
COLUMNS = [
    "fact",
    "measured",
    "lo",
    "hi",
    "published",
    "source",
    "holds",
    "criterion",
    "published_value",
    "statement",
    "experiment",
    "n_seeds",
    "n_draws",
]
#: Columns of ``validation_seeds.parquet``: the arm sums of every (draw, seed) pair.
SAMPLE_COLUMNS = ["fact", "draw", "seed", "arm", "value"]
#: Bootstrap resamples behind each interval.
BOOTSTRAP = 2000
_BOOTSTRAP_SEED = 20_231_129


@dataclass(frozen=True)
class Fact:
    """One published finding and how the model's measurement is judged against it.

    Attributes:
        name: identifier (the ``fact`` column).
        experiment: the experiment whose runs measure it.
        statement: the finding, in one sentence.
        published: the published effect, as text.
        published_value: the published effect as a relative change, if it is one.
        source: the paper.
        estimator: ``ratio`` (arms: control, treated; ``sum(t)/sum(c) - 1``),
            ``ratio_gap`` (arms: control A, treated A, control B, treated B; the
            ratio effect in A minus that in B), or ``gap`` (arms: control, R, I;
            ``(sum(I) - sum(R)) / sum(c)``).
        criterion: ``increase`` (lo > 0), ``decrease`` (hi < 0) or ``no_shrink``
            (lo > -0.02: the interval excludes a fall of more than 2%).

    """

    name: str
    experiment: str
    statement: str
    published: str
    published_value: float | None
    source: str
    estimator: str
    criterion: str


FACTS: tuple[Fact, ...] = (
    Fact(
        "kingpin_capo_municipality_6m",
        "kingpin",
        "homicides rise in the municipality where a leader is captured, over 6 months",
        "about +36% in 6 months",
        0.36,
        "Calderon, Robles, Diaz-Cayeros & Magaloni 2015, J. Conflict Resolution 59(8)",
        "ratio",
        "increase",
    ),
    Fact(
        "kingpin_capo_municipality_12m",
        "kingpin",
        "homicides rise in the capo's municipality over the following 12 months",
        "about +80% over 12 months",
        0.80,
        "Lindo & Padilla-Romo 2018, J. Health Economics 58",
        "ratio",
        "increase",
    ),
    Fact(
        "kingpin_other_municipalities_6m",
        "kingpin",
        "homicides rise in the organisation's other municipalities over 6 months",
        "about +30% for 6 months",
        0.30,
        "Lindo & Padilla-Romo 2018, J. Health Economics 58",
        "ratio",
        "increase",
    ),
    Fact(
        "crackdown_local_violence",
        "crackdown_diversion",
        "a crackdown on a trafficking plaza raises violence there",
        "drug-trade homicides rise after crackdowns",
        None,
        "Dell 2015, American Economic Review 105(6)",
        "ratio",
        "increase",
    ),
    Fact(
        "crackdown_flow_diverted",
        "crackdown_diversion",
        "the crackdown diverts cocaine flow away from the plaza",
        "traffic moves to the next-cheapest routes",
        None,
        "Dell 2015, American Economic Review 105(6)",
        "ratio",
        "decrease",
    ),
    Fact(
        "crackdown_diverted_violence",
        "crackdown_diversion",
        "violence rises on the plazas the flow is diverted to",
        "violence rises along the diverted routes",
        None,
        "Dell 2015, American Economic Review 105(6)",
        "ratio",
        "increase",
    ),
    Fact(
        "balloon_active_plazas",
        "balloon",
        "more interdiction does not shrink the number of active trafficking plazas",
        "interdiction spreads and expands trafficking routes",
        None,
        "Magliocca et al. 2019, PNAS 116(16)",
        "ratio",
        "no_shrink",
    ),
    Fact(
        "shortage_border_violence",
        "supply_shortage",
        "a cocaine supply shortage raises violence most in contested border plazas",
        "violence rose where cartels contest, notably on the US border",
        None,
        "Castillo, Mejia & Restrepo 2020, Review of Economics and Statistics 102(2)",
        "ratio_gap",
        "increase",
    ),
    Fact(
        "conditional_state_killings",
        "conditional_vs_crackdown",
        "conditional repression yields fewer state-cartel killings than a crackdown",
        "conditional repression reduces cartel-state violence",
        None,
        "Lessing 2015, J. Conflict Resolution 59(8); Lessing 2017, Making Peace in Drug Wars",
        "ratio",
        "decrease",
    ),
    Fact(
        "conditional_cartel_killings",
        "conditional_vs_crackdown",
        "conditional repression yields fewer cartel-cartel killings than a crackdown",
        "conditional repression reduces violence",
        None,
        "Lessing 2015, J. Conflict Resolution 59(8); Lessing 2017, Making Peace in Drug Wars",
        "ratio",
        "decrease",
    ),
    Fact(
        "recruitment_beats_incapacitation",
        "recruitment",
        "halving recruitment (steady and at the fronts) lowers violence more than doubling "
        "incapacitation",
        "reducing recruitment is the only way to lower violence",
        None,
        "Prieto-Curiel, Campedelli & Hope 2023, Science 381(6664)",
        "gap",
        "increase",
    ),
)

#: Experiment names in run order.
EXPERIMENTS: tuple[str, ...] = tuple(dict.fromkeys(f.experiment for f in FACTS))


# --------------------------------------------------------------------------- statistics


def effect(arms: np.ndarray, estimator: str) -> float:
    """The pooled effect of ``arms`` (seeds x arms) under ``estimator`` (see :class:`Fact`)."""
    s = np.asarray(arms, dtype=float).sum(axis=0)

    def ratio(c: float, t: float) -> float:
        return t / c - 1.0 if c > 0 else float("nan")  # no control events: undefined

    if estimator == "ratio":
        return float(ratio(s[0], s[1]))
    if estimator == "ratio_gap":
        return float(ratio(s[0], s[1]) - ratio(s[2], s[3]))
    if estimator == "gap":
        return float((s[2] - s[1]) / s[0]) if s[0] > 0 else float("nan")
    raise ValueError(f"unknown estimator {estimator!r}")


def interval(arms: np.ndarray, estimator: str, n_boot: int = BOOTSTRAP) -> tuple[float, float]:
    """5th and 95th percentiles of the effect over paired bootstrap resamples of the rows.

    A row of ``arms`` is one seed, or one (draw, seed) pair with posterior draws.
    """
    arms = np.asarray(arms, dtype=float)
    n = arms.shape[0]
    if n < 2:
        value = effect(arms, estimator)
        return value, value
    rng = np.random.default_rng(_BOOTSTRAP_SEED)
    picks = rng.integers(0, n, size=(n_boot, n))
    draws = np.array([effect(arms[idx], estimator) for idx in picks])
    draws = draws[np.isfinite(draws)]
    if draws.size == 0:
        return float("nan"), float("nan")
    lo, hi = np.percentile(draws, [5.0, 95.0])
    return float(lo), float(hi)


def holds(criterion: str, lo: float, hi: float) -> bool:
    """Whether the interval ``[lo, hi]`` meets ``criterion`` (see :class:`Fact`)."""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return False
    if criterion == "increase":
        return lo > 0.0
    if criterion == "decrease":
        return hi < 0.0
    if criterion == "no_shrink":
        return lo > -0.02
    raise ValueError(f"unknown criterion {criterion!r}")


CRITERIA = {
    "increase": "the 90% interval lies above 0",
    "decrease": "the 90% interval lies below 0",
    "no_shrink": "the 90% interval lies above -2%",
}


# --------------------------------------------------------------------------- the suite


#: File names of a validation directory.
VALIDATION_TABLE = "validation.parquet"
VALIDATION_SAMPLES = "validation_seeds.parquet"


@dataclass(frozen=True)
class ValidationResult:
    """The validation table, the per-run arm sums behind it, and how it was made.

    ``draws`` are the posterior draws every experiment ran on (empty: the base
    scenario's own parameters), ``posterior`` what the manifest records of their
    sample, ``scenario`` the base scenario (default: the bundled ``mexico-2006``).
    """

    table: pd.DataFrame
    samples: pd.DataFrame
    seeds: tuple[int, ...] = ()
    workers: int = 1
    wall_time_s: float = 0.0
    draws: tuple[int, ...] = ()
    posterior: dict[str, Any] | None = None
    scenario: Scenario | None = None

    def manifest(self) -> dict[str, object]:
        """What produced the table: seeds, draws, experiments, base scenario, version, time."""
        base = self.scenario if self.scenario is not None else base_scenario()
        return {
            "kind": "validation",
            "seeds": list(self.seeds),
            "draws": list(self.draws),
            "posterior": self.posterior,
            "experiments": sorted(set(self.table.experiment)),
            "scenario": base.to_dict(),
            "bootstrap": {"resamples": BOOTSTRAP, "seed": _BOOTSTRAP_SEED},
            **provenance(),
            "workers": self.workers,
            "wall_time_s": round(self.wall_time_s, 3),
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }


def check_validation_dir(out_dir: str | os.PathLike[str]) -> None:
    """Refuse an output path that :func:`write_validation` must not replace.

    As :func:`plazasim.results.store.check_out_dir`; an existing non-empty
    directory must also be an earlier validation directory.
    """
    out_dir = Path(out_dir)
    check_out_dir(out_dir)
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / VALIDATION_TABLE).is_file():
        raise PlazasimError(
            f"out: {out_dir} is not a validation directory (no "
            f"{VALIDATION_TABLE}); refusing to replace it"
        )


def write_validation(
    result: ValidationResult,
    out_dir: str | os.PathLike[str],
    *,
    invocation: dict[str, Any] | None = None,
    figures: bool = True,
) -> Path:
    """Write ``validation.parquet``, ``validation_seeds.parquet`` and the manifest atomically.

    ``invocation``, the command that asked for it, goes into the manifest so that
    a later command can tell its own results from another's. With ``figures``,
    ``validation.png`` too (:func:`plazasim.figures.outputs.validation_png`).
    """
    out_dir = Path(out_dir).absolute()
    check_validation_dir(out_dir)
    text = manifest_text(
        {**result.manifest(), "invocation": invocation}
        if invocation is not None
        else result.manifest()
    )

    def fill(tmp: Path) -> None:
        result.table.to_parquet(tmp / VALIDATION_TABLE, engine="pyarrow", index=False)
        result.samples.to_parquet(tmp / VALIDATION_SAMPLES, engine="pyarrow", index=False)
        (tmp / MANIFEST).write_text(text, encoding="utf-8")
        if figures:
            from plazasim.figures.outputs import VALIDATION_PLOT, validation_png

            validation_png(result.table, json.loads(text), tmp / VALIDATION_PLOT)

    return write_directory(out_dir, fill)


def _tasks(
    chosen: Sequence[str], seeds: Sequence[int], base: Scenario | None, draws: Sequence[int] | None
) -> tuple[list[ExperimentTask], list[int | None]]:
    """The tasks, in experiment, draw, seed order, and the draw of each (None: own parameters)."""
    if draws is None:
        picked: list[int | None] = [None for _ in range(len(chosen) * len(seeds))]
        if base is None:
            return [(e, int(s)) for e in chosen for s in seeds], picked
        return [(e, int(s), base) for e in chosen for s in seeds], picked
    assert base is not None
    drawn = {d: with_posterior_draw(base, d) for d in draws}
    tasks: list[ExperimentTask] = [
        (e, int(s), drawn[d]) for e in chosen for d in draws for s in seeds
    ]
    return tasks, [d for _ in chosen for d in draws for _ in seeds]


def validate(
    seeds: Sequence[int],
    *,
    workers: int = 1,
    experiments: Sequence[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    draws: Sequence[int] | None = None,
    scenario: Scenario | None = None,
) -> ValidationResult:
    """Run the chosen experiments (default: all) on ``seeds`` and judge every fact.

    ``scenario`` is the base of every experiment (default: the bundled
    ``mexico-2006``; it must be a Mexico scenario starting on 1 December 2006 for
    the experiments' dates to make sense). With ``draws`` (indices into its
    posterior sample) each experiment runs every draw with every seed.
    """
    chosen = list(EXPERIMENTS if experiments is None else experiments)
    unknown = [e for e in chosen if e not in RUNNERS]
    if unknown:
        raise PlazasimError(
            f"experiments: unknown {', '.join(map(repr, unknown))} "
            f"(known: {', '.join(EXPERIMENTS)})"
        )
    if not seeds:
        raise PlazasimError("seeds: give at least one seed")
    if len(set(seeds)) != len(seeds) or min(seeds) < 0:
        raise PlazasimError("seeds: must be distinct integers >= 0")
    if workers < 1:
        raise PlazasimError(f"workers: must be >= 1 (got {workers})")
    if scenario is not None and scenario.world.kind != "mexico":
        raise PlazasimError(
            f"scenario: the validation experiments need the Mexico world "
            f"(scenario {scenario.scenario.name} is {scenario.world.kind})"
        )
    record = None
    if draws is not None:
        if not draws or len(set(draws)) != len(draws):
            raise PlazasimError("draws: give distinct posterior draws")
        scenario = scenario if scenario is not None else base_scenario()
        record = posterior_record(scenario, [int(d) for d in draws], option="posterior")
    tasks, task_draws = _tasks(chosen, seeds, scenario, draws)
    t0 = time.perf_counter()
    results = map_tasks(run_experiment, tasks, workers, progress=progress, name="plazasim-validate")
    wall = time.perf_counter() - t0
    rows: list[dict[str, Any]] = []
    samples: list[dict[str, Any]] = []
    for fact in FACTS:
        if fact.experiment not in chosen:
            continue
        mine = [
            (task, draw, res)
            for task, draw, res in zip(tasks, task_draws, results, strict=True)
            if task[0] == fact.experiment
        ]
        arms = np.array([res[fact.name] for _, _, res in mine])
        for task, draw, res in mine:
            samples.extend(
                {"fact": fact.name, "draw": draw, "seed": task[1], "arm": i, "value": v}
                for i, v in enumerate(res[fact.name])
            )
        measured = effect(arms, fact.estimator)
        lo, hi = interval(arms, fact.estimator)
        rows.append(
            {
                "fact": fact.name,
                "measured": measured,
                "lo": lo,
                "hi": hi,
                "published": fact.published,
                "source": fact.source,
                "holds": holds(fact.criterion, lo, hi),
                "criterion": CRITERIA[fact.criterion],
                "published_value": fact.published_value,
                "statement": fact.statement,
                "experiment": fact.experiment,
                "n_seeds": len(seeds),
                "n_draws": len(draws) if draws is not None else pd.NA,
            }
        )
    table = pd.DataFrame(rows, columns=COLUMNS).astype({"n_draws": "Int64"})
    frame = pd.DataFrame(samples, columns=SAMPLE_COLUMNS).astype({"draw": "Int64"})
    return ValidationResult(
        table=table,
        samples=frame,
        seeds=tuple(int(s) for s in seeds),
        workers=min(workers, len(tasks)),
        wall_time_s=wall,
        draws=tuple(int(d) for d in draws) if draws is not None else (),
        posterior=record,
        scenario=scenario,
    )
