"""Compare enforcement policies (or scenario variants) over many seeds.

One run says little: the same policy gives different numbers under another seed.
:func:`compare` runs every *variant* (a label and a :class:`~plazasim.scenario.Scenario`)
on the **same** seeds, so variant ``b`` with seed 7 and variant ``a`` with seed 7
start from the same random stream: *common random numbers*. Each variant is
summarised by the median and the 5th-95th percentile interval of its per-seed
outcomes, and by the same statistics of its **paired** per-seed differences
against the first variant. Pairing cancels the noise the variants share: the
engine gives every phase of every week its own random stream, seeded by (seed,
week, phase) (:class:`plazasim.model.step.WeekStreams`), so two variants see the
same draws wherever their states agree, and a policy that orders more operations
does not shift the draws of the other phases (README, "Compare policies", gives
the measured effect). Method: Law, *Simulation Modeling and
Analysis* (5th ed., 2015), ch. 11, "Common random numbers".

With ``draws`` (posterior draws, :mod:`plazasim.experiments.posterior`) every
variant runs on the same (draw, seed) pairs: draw *i* of the variants' common
posterior sample with seed *s*, for every draw and seed. The intervals and the
paired differences are then over all those pairs, and carry the uncertainty of
the fit as well as the run-to-run noise; ``diff_between_draws`` says how much of
the spread of a difference is the fit's.

Runs are pure functions of (scenario, seed); with ``workers > 1`` they go to a
``dask.distributed`` LocalCluster, and the result is the same table whatever the
number of workers (a script using workers needs an ``if __name__ == "__main__":``
guard, since worker processes re-import it).

Example::

    from plazasim.scenario import load_scenario, with_overrides
    from plazasim.experiments.compare import compare

    base = with_overrides(load_scenario("synthetic-small"), until="2007-06-30")
    variants = {p: with_overrides(base, policy=p) for p in ("crackdown", "laissez_faire")}
    result = compare(variants, seeds=range(1, 21))
    result.summary.query("metric == 'homicides_total'")
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from plazasim.errors import PlazasimError, ScenarioError
from plazasim.experiments.parallel import default_workers, map_tasks
from plazasim.experiments.posterior import (
    between_draws_share,
    posterior_record,
    with_posterior_draw,
)
from plazasim.experiments.simulate import simulate_scenario, world_of
from plazasim.model.engine import weeks_between
from plazasim.provenance import provenance
from plazasim.results.store import MANIFEST, check_out_dir, manifest_text, write_directory
from plazasim.scenario import Scenario, check_against_world, with_overrides

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "COLUMNS",
    "COMPARE_PLOT",
    "COMPARE_TABLE",
    "INTERVAL",
    "METRICS",
    "SUMMARY_COLUMNS",
    "CompareResult",
    "check_compare_dir",
    "common_posterior",
    "compare",
    "default_workers",
    "metrics_of",
    "plot_compare",
    "run_metrics",
    "summarise",
    "write_compare",
]

#: Outcome of one run: name -> (unit, meaning). Sums are over the whole run.
METRICS: dict[str, tuple[str, str]] = {
    "homicides_total": ("persons", "all homicides, baseline included"),
    "homicides_cartel": ("persons", "cartel-cartel killings"),
    "homicides_state": ("persons", "killed in clashes with state forces"),
    "homicides_bystander": ("persons", "residents killed in the crossfire"),
    "cocaine_delivered_t": ("t", "cocaine delivered across the US border"),
    "cocaine_seized_t": ("t", "cocaine seized en route and at the border"),
    "laundered_usd": ("USD", "proceeds placed in the financial system"),
    "cartels_alive": ("cartels", "cartels alive at the end"),
    "hhi_plazas": ("0-1", "Herfindahl-Hirschman index of held plazas at the end"),
    "share_disputed": ("0-1", "mean over weeks of disputed plazas / plazas"),
}
_SUMMED = (
    "homicides_total",
    "homicides_cartel",
    "homicides_state",
    "homicides_bystander",
    "cocaine_delivered_t",
    "cocaine_seized_t",
    "laundered_usd",
)
#: Percentiles of the reported interval (a 90% interval).
INTERVAL = (5.0, 95.0)
#: Columns of the tidy table :meth:`CompareResult.to_frame` (``compare.parquet``).
COLUMNS = (
    "row",
    "policy",
    "metric",
    "draw",
    "seed",
    "value",
    "median",
    "lo",
    "hi",
    "diff_median",
    "diff_lo",
    "diff_hi",
    "diff_between_draws",
)
#: Columns of :attr:`CompareResult.summary`.
SUMMARY_COLUMNS = (
    "policy",
    "metric",
    "median",
    "lo",
    "hi",
    "diff_median",
    "diff_lo",
    "diff_hi",
    "diff_between_draws",
)


# --------------------------------------------------------------------------- one run


def metrics_of(national: pd.DataFrame, cartels: pd.DataFrame, n_plazas: int) -> dict[str, float]:
    """Return the :data:`METRICS` of one run from its national and cartel tables.

    ``hhi_plazas`` is Σ sᵢ² over cartels, sᵢ being cartel i's share of the plazas
    held by any cartel in the last week (0 if no cartel holds any).
    """
    out = {name: float(national[name].sum()) for name in _SUMMED}
    last = cartels[cartels["date"] == cartels["date"].max()]
    out["cartels_alive"] = float(last["alive"].sum())
    held = last["plazas_held"].to_numpy(dtype=float)
    total = held.sum()
    out["hhi_plazas"] = float(((held / total) ** 2).sum()) if total > 0 else 0.0
    out["share_disputed"] = float(national["plazas_disputed"].mean() / n_plazas)
    return {name: out[name] for name in METRICS}


def run_metrics(scenario: Scenario) -> dict[str, float]:
    """Simulate ``scenario`` with its own seed, without per-plaza records; return its metrics.

    A pure function of the scenario: this is the task :func:`compare` sends to workers.
    """
    world = world_of(scenario)
    sim = simulate_scenario(scenario, world=world, record_plazas=False)
    return metrics_of(
        sim.recorder.national_frame(sim.dates), sim.recorder.cartel_frame(sim.dates), world.n_plazas
    )


# --------------------------------------------------------------------------- many runs


@dataclass(frozen=True)
class CompareResult:
    """Per-seed outcomes and their summary; see :func:`compare`.

    Attributes:
        runs: one row per (variant, draw, seed), in variant, draw, seed order;
            columns ``policy`` (the variant label), ``draw`` (the posterior draw,
            nullable: ``<NA>`` for the scenario's own parameters), ``seed`` and one
            per metric.
        summary: one row per (variant, metric); columns :data:`SUMMARY_COLUMNS`.
        scenarios: the variants, label -> scenario (before each draw and seed is applied).
        seeds: the seeds every variant ran on.
        draws: the posterior draws every variant ran on; empty: none (own parameters).
        posterior: what :func:`~plazasim.experiments.posterior.posterior_record`
            says of the posterior the draws came from, or None.
        workers: worker processes used (1: in-process).
        wall_time_s: wall-clock time of all runs.

    """

    runs: pd.DataFrame
    summary: pd.DataFrame
    scenarios: dict[str, Scenario]
    seeds: tuple[int, ...]
    draws: tuple[int, ...] = ()
    posterior: dict[str, Any] | None = None
    workers: int = 1
    wall_time_s: float = 0.0
    created: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )

    @property
    def variants(self) -> list[str]:
        """Variant labels, in order; the first is the reference of the differences."""
        return list(self.scenarios)

    @property
    def runs_per_variant(self) -> int:
        """Runs of each variant: draws x seeds (seeds alone without posterior draws)."""
        return max(len(self.draws), 1) * len(self.seeds)

    def to_frame(self) -> pd.DataFrame:
        """Return the tidy table of ``compare.parquet``: summary rows, then per-run rows."""
        summary = self.summary.assign(row="summary", draw=pd.NA, seed=pd.NA, value=np.nan)
        per_run = self.runs.melt(
            id_vars=["policy", "draw", "seed"],
            value_vars=list(METRICS),
            var_name="metric",
            value_name="value",
        )
        order = {name: i for i, name in enumerate(METRICS)}
        per_run = (
            per_run.assign(
                _v=per_run["policy"].map({v: i for i, v in enumerate(self.variants)}),
                _m=per_run["metric"].map(order),
            )
            .sort_values(["_v", "draw", "seed", "_m"], kind="stable")
            .drop(columns=["_v", "_m"])
        )
        per_run = per_run.assign(row="seed")
        frame = pd.concat(
            [summary.astype({"draw": "Int64", "seed": "Int64"}), per_run], ignore_index=True
        )[list(COLUMNS)]
        frame["draw"] = frame["draw"].astype("Int64")
        frame["seed"] = frame["seed"].astype("Int64")
        for col in COLUMNS[5:]:
            frame[col] = frame[col].astype(float)
        return frame

    def manifest(self) -> dict[str, Any]:
        """Say what produced the numbers (written as ``manifest.json``)."""
        return {
            "kind": "compare",
            "variants": self.variants,
            "seeds": list(self.seeds),
            "draws": list(self.draws),
            "posterior": self.posterior,
            "scenarios": {label: sc.to_dict() for label, sc in self.scenarios.items()},
            "weeks": {
                label: weeks_between(sc.scenario.start, sc.scenario.end)
                for label, sc in self.scenarios.items()
            },
            "metrics": {
                name: {"unit": unit, "meaning": meaning}
                for name, (unit, meaning) in METRICS.items()
            },
            "interval_percentiles": list(INTERVAL),
            "runs": len(self.runs),
            "workers": self.workers,
            **provenance(),
            "wall_time_s": round(self.wall_time_s, 3),
            "created": self.created,
        }


def _pairs(runs: pd.DataFrame, label: str) -> pd.DataFrame:
    """The runs of variant ``label`` in (draw, seed) order, ``draw`` -1 where there is none."""
    mine = runs[runs["policy"] == label].assign(draw=runs["draw"].fillna(-1).astype(np.int64))
    return mine.sort_values(["draw", "seed"], kind="stable")


def summarise(runs: pd.DataFrame, variants: Sequence[str]) -> pd.DataFrame:
    """Median and 90% interval per (variant, metric), and of paired differences to variant 0.

    ``runs`` is :attr:`CompareResult.runs`: every variant must have the same
    (draw, seed) pairs. Differences are ``value(variant, draw, seed) -
    value(variants[0], draw, seed)``; ``diff_between_draws`` is the share of their
    variance that lies between posterior draws
    (:func:`~plazasim.experiments.posterior.between_draws_share`; NaN without
    draws, with one draw or one seed, or for the first variant).
    """
    pct = [INTERVAL[0], 50.0, INTERVAL[1]]
    base = _pairs(runs, variants[0])
    keys = list(zip(base["draw"], base["seed"], strict=True))
    n_draws = base["draw"].nunique() if (base["draw"] >= 0).all() else 0
    rows = []
    for label in variants:
        mine = _pairs(runs, label)
        if list(zip(mine["draw"], mine["seed"], strict=True)) != keys:
            raise ValueError(
                f"summarise: variant {label!r} has other (draw, seed) pairs than {variants[0]!r}"
            )
        for metric in METRICS:
            values = mine[metric].to_numpy(dtype=float)
            diff = values - base[metric].to_numpy(dtype=float)
            lo, med, hi = np.percentile(values, pct)
            dlo, dmed, dhi = np.percentile(diff, pct)
            share = (
                between_draws_share(diff.reshape(n_draws, -1))
                if n_draws and label != variants[0]
                else np.nan
            )
            rows.append(
                {
                    "policy": label,
                    "metric": metric,
                    "median": med,
                    "lo": lo,
                    "hi": hi,
                    "diff_median": dmed,
                    "diff_lo": dlo,
                    "diff_hi": dhi,
                    "diff_between_draws": share,
                }
            )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def _check_draws(draws: Sequence[int]) -> None:
    if not draws:
        raise PlazasimError("draws: give at least one posterior draw")
    for draw in draws:
        if isinstance(draw, bool) or not isinstance(draw, int | np.integer) or draw < 0:
            raise PlazasimError(f"draws: each draw must be an integer >= 0 (got {draw!r})")
    dup = sorted(d for d, n in Counter(int(d) for d in draws).items() if n > 1)
    if dup:
        raise PlazasimError(f"draws: listed more than once: {', '.join(map(str, dup))}")


def common_posterior(scenarios: Mapping[str, Scenario], draws: Sequence[int]) -> dict[str, Any]:
    """The posterior every variant draws from (its manifest record), or a one-line error.

    Pairing by draw compares like with like only if draw *i* is the same parameter
    set in every variant, so all variants must name the same sample (the same
    file contents, wherever it lies).
    """
    _check_draws(draws)
    records = {
        label: posterior_record(sc, [int(d) for d in draws], option="posterior")
        for label, sc in scenarios.items()
    }
    first, ref = next(iter(records.items()))
    for label, record in records.items():
        if record["sha256"] != ref["sha256"]:
            raise ScenarioError.at(
                "posterior",
                f"variants {first!r} and {label!r} name different posterior "
                f"samples ({ref['path']}, {record['path']}); paired draws need one sample",
            )
    return ref


def _check_inputs(scenarios: Mapping[str, Scenario], seeds: Sequence[int], workers: int) -> None:
    if not scenarios:
        raise PlazasimError("variants: give at least one scenario to compare")
    if not seeds:
        raise PlazasimError("seeds: give at least one seed")
    for seed in seeds:
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise PlazasimError(f"seeds: each seed must be an integer >= 0 (got {seed!r})")
    dup = sorted(s for s, n in Counter(int(s) for s in seeds).items() if n > 1)
    if dup:
        raise PlazasimError(f"seeds: listed more than once: {', '.join(map(str, dup))}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise PlazasimError(f"workers: must be an integer >= 1 (got {workers!r})")
    for label, scenario in scenarios.items():
        if not isinstance(scenario, Scenario):
            raise PlazasimError(f"variants: {label!r} is not a Scenario")
        check_against_world(scenario, world_of(scenario))


def compare(
    scenarios: Mapping[str, Scenario],
    seeds: Sequence[int],
    *,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    draws: Sequence[int] | None = None,
) -> CompareResult:
    """Run every variant of ``scenarios`` (label -> scenario) on every seed and summarise.

    Every variant runs on the same ``seeds`` (common random numbers). With
    ``draws`` (indices into the variants' common posterior sample, e.g.
    :func:`~plazasim.experiments.posterior.posterior_draws`) every variant runs
    each draw with each seed, and differences are paired by (draw, seed). With
    ``workers > 1`` runs go to a ``dask.distributed`` LocalCluster of that many
    single-threaded worker processes (never more than there are runs); the numbers
    do not depend on ``workers``. ``progress(done, total)`` is called after each run.
    Bad input raises :class:`~plazasim.errors.PlazasimError` before anything runs.
    """
    seeds = [int(s) if isinstance(s, np.integer) else s for s in seeds]
    _check_inputs(scenarios, seeds, workers)
    record = common_posterior(scenarios, draws) if draws is not None else None
    picked: list[int | None] = [int(d) for d in draws] if draws is not None else [None]
    labels = list(scenarios)
    pairs = [(label, draw, seed) for label in labels for draw in picked for seed in seeds]
    tasks = [
        with_overrides(scenarios[label], seed=seed)
        if draw is None
        else with_posterior_draw(scenarios[label], draw, seed=seed)
        for label, draw, seed in pairs
    ]
    t0 = time.perf_counter()
    results = map_tasks(run_metrics, tasks, workers, progress=progress, name="plazasim-compare")
    wall = time.perf_counter() - t0
    runs = pd.DataFrame(pairs, columns=["policy", "draw", "seed"]).astype(
        {"draw": "Int64", "seed": np.int64}
    )
    runs = pd.concat([runs, pd.DataFrame(results, columns=list(METRICS))], axis=1)
    return CompareResult(
        runs=runs,
        summary=summarise(runs, labels),
        scenarios=dict(scenarios),
        seeds=tuple(seeds),
        draws=tuple(d for d in picked if d is not None),
        posterior=record,
        workers=min(workers, len(tasks)),
        wall_time_s=wall,
    )


# --------------------------------------------------------------------------- output

#: Files of a compare directory, beside ``manifest.json``.
COMPARE_TABLE = "compare.parquet"
COMPARE_PLOT = "compare.png"


def plot_compare(result: CompareResult, path: str | os.PathLike[str] | None = None) -> Figure:
    """Draw the paired differences of every variant against the first, one panel per metric.

    :func:`plazasim.figures.compare.compare_figure` of the comparison's table and
    manifest (so ``plazasim report`` draws the same figure from a compare folder).
    Saved to ``path`` (PNG, Agg backend) when given.
    """
    from plazasim.figures.common import save_png
    from plazasim.figures.compare import compare_figure

    fig = compare_figure(result.to_frame(), result.manifest())
    if path is not None:
        save_png(fig, path)
    return fig


def check_compare_dir(out_dir: str | os.PathLike[str]) -> None:
    """Refuse an output path :func:`write_compare` must not replace.

    Like :func:`plazasim.results.store.check_out_dir`, and an existing non-empty
    directory must also be an earlier compare directory (has ``compare.parquet``),
    so a ``plazasim run`` directory is never replaced by a comparison.
    """
    check_out_dir(Path(out_dir), marker=COMPARE_TABLE, kind="compare directory")


def write_compare(
    result: CompareResult,
    out_dir: str | os.PathLike[str],
    *,
    invocation: dict[str, Any] | None = None,
) -> Path:
    """Write ``compare.parquet``, ``compare.png`` and ``manifest.json`` atomically.

    Through :func:`plazasim.results.store.write_directory`: on any failure nothing
    is left behind and an earlier ``out_dir`` is kept.
    ``invocation``, the command that asked for it, goes into the manifest.
    """
    out_dir = Path(out_dir).absolute()
    check_compare_dir(out_dir)
    frame = result.to_frame()
    text = manifest_text(
        {**result.manifest(), "invocation": invocation}
        if invocation is not None
        else result.manifest()
    )

    def fill(tmp: Path) -> None:
        frame.to_parquet(tmp / COMPARE_TABLE, engine="pyarrow", compression="zstd", index=False)
        plot_compare(result, tmp / COMPARE_PLOT)
        (tmp / MANIFEST).write_text(text, encoding="utf-8")

    return write_directory(out_dir, fill)
