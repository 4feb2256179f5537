"""The fit report of a calibration: observed against simulated, with the fit's uncertainty.

A calibration directory says which parameters fit; the report shows what they
do. :func:`fit_report` runs the posterior predictive
(:func:`~plazasim.calibration.predictive.posterior_predictive`) and
:func:`write_fit_report` writes, into ``DIR/fit-report/`` by default::

    national.png        monthly national related killings and homicides, record vs runs
    states.png          state totals 2008-2010, ranked, record vs runs (log scale)
    juarez.png          monthly homicides in the calibration's plaza (Ciudad Juárez)
    related_share.png   annual share of homicides that are cartel-related
    parameters.png      each calibrated parameter's prior against its posterior
    fit_table.csv       annual record vs runs, then the headline checks (tidy)
    fit_table.md        the same as Markdown tables
    predictive.parquet  the runs' summaries (draw, seed, block, label, value)
    manifest.json       what produced it

The record is the one the calibration stored (``calibration.json``), so the
report compares exactly what was fitted; nothing here feeds back into a model.
Simulated values are medians with a 90% band (5-95%) over all runs (posterior
draws x seeds). Months and years after the record's last day (2011-2012 for
Mexico) are forecasts, and every figure and table marks them so.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from plazasim.calibration.abc_smc import CalibrationRecord, Settings, read_calibration
from plazasim.calibration.fit_stats import (
    Check,
    annual_totals,
    bands,
    headline_checks,
    relative_error,
    run_matrix,
)
from plazasim.calibration.posterior_out import block_shares
from plazasim.calibration.predictive import (
    DEFAULT_SEEDS,
    SEED_STRIDE,
    posterior_predictive,
)
from plazasim.calibration.summaries import SummarySpec
from plazasim.provenance import provenance
from plazasim.results.store import MANIFEST, check_out_dir, manifest_text, write_directory
from plazasim.world import World

__all__ = [
    "ANNUAL_BLOCKS",
    "DEFAULT_OUT",
    "FIT_MARKDOWN",
    "FIT_TABLE",
    "PREDICTIVE_TABLE",
    "FitReport",
    "check_fit_report_dir",
    "fit_report",
    "observed_record",
    "write_fit_report",
]

#: Where the report goes inside the calibration directory unless told.
DEFAULT_OUT = "fit-report"
FIT_TABLE = "fit_table.csv"
FIT_MARKDOWN = "fit_table.md"
PREDICTIVE_TABLE = "predictive.parquet"
#: Monthly blocks summed to annual rows of the fit table, with the record's source.
ANNUAL_BLOCKS = {
    "national_related": "Presidencia",
    "national_homicides": "INEGI",
    "plaza_homicides": "INEGI",
}


def observed_record(settings: Settings) -> dict[str, pd.Series]:
    """The record the calibration stored, ``{block: Series}`` indexed by the blocks' labels."""
    spec = settings.spec_object()
    out = {}
    for block, values in settings.observed_arrays().items():
        labels = [str(spec.members_year)] if block == "members" else spec.labels(block)
        out[block] = pd.Series(values, index=pd.Index(labels, name="label"), name=block)
    return out


@dataclass
class FitReport:
    """A calibration, its posterior predictive runs and what they say about the fit.

    Attributes:
        calibration: the calibration directory read back.
        predictive: the runs' summaries (:func:`~plazasim.calibration.predictive.
            posterior_predictive`), persons per month or year.
        seeds: simulation seeds per posterior draw.
        workers: worker processes the runs used (1: in-process).
        wall_time_s: wall-clock time of the runs.

    """

    calibration: CalibrationRecord
    predictive: pd.DataFrame
    seeds: int
    workers: int = 1
    wall_time_s: float = 0.0
    created: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )

    @property
    def settings(self) -> Settings:
        """The calibration's settings (scenario, layout, record)."""
        return self.calibration.settings

    @cached_property
    def spec(self) -> SummarySpec:
        """The layout of the record the calibration was fitted to."""
        return self.settings.spec_object()

    @cached_property
    def observed(self) -> dict[str, pd.Series]:
        """The stored record (:func:`observed_record`)."""
        return observed_record(self.settings)

    @cached_property
    def world(self) -> World:
        """The scenario's world (for state and plaza names)."""
        from plazasim.experiments.simulate import world_of

        return world_of(self.settings.scenario_object())

    @property
    def draws(self) -> int:
        """Posterior draws run."""
        return int(self.predictive["draw"].nunique())

    @cached_property
    def parameter_sets(self) -> dict[str, float]:
        """How many distinct parameter sets the draws hold, and what the weights were worth.

        ``posterior.parquet`` resamples the last generation, so a particle with a
        large weight fills many draws: ``used`` distinct particles among the draws
        run, ``shipped`` among all draws, ``heaviest`` the share of all draws the
        most frequent particle fills, and ``effective`` particles the last
        generation's weights are worth (Kish, ``populations.csv``; NaN if unknown).
        A comparison on N draws carries the fit's uncertainty only as far as its
        draws differ.
        """
        posterior = self.calibration.posterior
        effective = self.calibration.populations["effective_particles"].dropna()
        out = {
            "draws": float(len(posterior)),
            "effective": float(effective.iloc[-1]) if len(effective) else math.nan,
            "used": math.nan,
            "shipped": math.nan,
            "heaviest": math.nan,
        }
        if "particle" in posterior.columns:
            rows = sorted(int(d) for d in self.predictive["draw"].unique())
            out["used"] = float(posterior["particle"].iloc[rows].nunique())
            counts = posterior["particle"].value_counts()
            out["shipped"] = float(len(counts))
            out["heaviest"] = float(counts.iloc[0] / len(posterior))
        return out

    @property
    def runs(self) -> int:
        """Simulations run (draws x seeds)."""
        return int(self.predictive[["draw", "seed"]].drop_duplicates().shape[0])

    @property
    def record_end(self) -> dt.date:
        """The record's last day; everything after it is a forecast."""
        return self.spec.end

    @property
    def is_mexico(self) -> bool:
        """Whether the record is the Mexico one (Presidencia, INEGI) rather than a target."""
        return self.settings.scenario_object().world.kind == "mexico"

    def state_name(self, code: str) -> str:
        """A state's name, or its code when the world has no names."""
        return self.world.state_names.get(code, code)

    @cached_property
    def plaza_name(self) -> str:
        """``Name, State (id)`` of the calibration's plaza (``""`` when it has none)."""
        plaza = self.spec.plaza
        if plaza is None:
            return ""
        i = self.world.plaza_index(plaza)
        state = str(self.world.state[i])
        where = self.state_name(state) if state in self.world.state_names else f"state {state}"
        return f"{self.world.plaza_name[i]}, {where} ({plaza})"

    def source(self, block: str) -> str:
        """Who counted the observed values of ``block`` (``target`` outside Mexico)."""
        if not self.is_mexico:
            return "target"
        return "Presidencia" if block.endswith("related") else "INEGI"

    @cached_property
    def checks(self) -> list[Check]:
        """The headline checks (:func:`~plazasim.calibration.fit_stats.headline_checks`)."""
        short = self.plaza_name.split(" (")[0] if self.plaza_name else "plaza"
        sources = {
            "related": self.source("national_related"),
            "homicides": self.source("national_homicides"),
        }
        return headline_checks(self.predictive, self.observed, short, sources)

    @cached_property
    def distance_blocks(self) -> pd.DataFrame:
        """The distance's blocks in the last generation: weight, cost, share."""
        return block_shares(Path(self.calibration.out_dir), self.settings)

    @cached_property
    def years(self) -> list[int]:
        """Whole calendar years the runs cover (Mexico: 2007-2012)."""
        return [
            int(y) for y in annual_totals(run_matrix(self.predictive, "national_homicides")).columns
        ]

    def annual_table(self) -> pd.DataFrame:
        """Per monthly block and whole year: observed, simulated median and band, error.

        Columns ``series, year, observed, median, q05, q95, relative_error``;
        ``observed`` and ``relative_error`` are NaN for forecast years.
        """
        rows = []
        for block in ANNUAL_BLOCKS:
            if block not in self.observed:
                continue
            sim = bands(annual_totals(run_matrix(self.predictive, block)))
            obs = annual_totals(self.observed[block])
            for year in self.years:
                seen = float(obs.get(year, math.nan))
                median = float(sim.loc[year, "median"])
                rows.append(
                    {
                        "series": block,
                        "year": year,
                        "observed": seen,
                        "median": median,
                        "q05": float(sim.loc[year, "q05"]),
                        "q95": float(sim.loc[year, "q95"]),
                        "relative_error": relative_error(median, seen),
                    }
                )
        return pd.DataFrame(rows)

    def fit_table(self) -> pd.DataFrame:
        """``fit_table.csv``: the annual table, then one row per headline check."""
        annual = self.annual_table()
        annual.insert(0, "section", "annual")
        names = {**_SERIES_NAME, "plaza_homicides": f"{self.plaza_name} homicides"}
        annual.insert(
            2,
            "description",
            [f"{names[s]} ({self.source(s)} observed), persons per year" for s in annual["series"]],
        )
        checks = pd.DataFrame(
            [
                {
                    "section": "check",
                    "series": c.key,
                    "description": c.description,
                    "measured": c.measured,
                    "criterion": c.criterion,
                    "result": c.result,
                }
                for c in self.checks
            ]
        )
        table = pd.concat([annual, checks], ignore_index=True)
        table["year"] = table["year"].astype("Int64")
        columns = [
            "section",
            "series",
            "description",
            "year",
            "observed",
            "median",
            "q05",
            "q95",
            "relative_error",
            "measured",
            "criterion",
            "result",
        ]
        return table.reindex(columns=columns)

    def markdown(self) -> str:
        """``fit_table.md``: the annual tables and the headline checks."""
        return _markdown(self)

    def manifest(self) -> dict[str, Any]:
        """What produced the report (written as ``manifest.json``)."""
        passed = [c for c in self.checks if c.passed is not None]
        return {
            "kind": "fit_report",
            "calibration": str(Path(self.calibration.out_dir).absolute()),
            "scenario": self.settings.scenario_object().scenario.name,
            "posterior_draws_available": len(self.calibration.posterior),
            "distinct_parameter_sets": {
                k: (v if math.isfinite(v) else None) for k, v in self.parameter_sets.items()
            },
            "draws": self.draws,
            "seeds": self.seeds,
            "runs": self.runs,
            "run_seeds": f"draw i, replicate j runs with seed {self.settings.seed} + "
            f"{SEED_STRIDE} i + j (draw i = row i of posterior.parquet)",
            "period": [
                str(self.settings.scenario_object().scenario.start),
                str(self.settings.scenario_object().scenario.end),
            ],
            "record_end": str(self.record_end),
            "forecast": f"everything after {self.record_end} (no observed data used)",
            "band_percentiles": [5.0, 95.0],
            "checks": {
                c.key: {
                    "measured": c.measured if math.isfinite(c.measured) else None,
                    "criterion": c.criterion,
                    "result": c.result,
                }
                for c in self.checks
            },
            "checks_passed": f"{sum(bool(c.passed) for c in passed)} of {len(passed)}",
            "workers": self.workers,
            "wall_time_s": round(self.wall_time_s, 3),
            **provenance(),
            "created": self.created,
        }


_SERIES_NAME = {
    "national_related": "national related killings",
    "national_homicides": "national homicides",
    "plaza_homicides": "plaza homicides",
}


def _cell(value: float, signed: bool = False) -> str:
    if value is None or not math.isfinite(value):
        return ""
    return f"{value:+.1%}" if signed else f"{value:,.0f}"


def _band(row: pd.Series) -> str:
    return f"{row['median']:,.0f} [{row['q05']:,.0f}, {row['q95']:,.0f}]"


def _spread_line(report: FitReport) -> str:
    """One sentence on how many distinct parameter sets the draws hold."""
    spread = report.parameter_sets
    if not math.isfinite(spread["used"]):
        return "The posterior file does not say which particle each draw is."
    line = (
        f"The {report.draws} draws run hold {spread['used']:.0f} distinct parameter sets "
        f"(the posterior's {spread['draws']:.0f} draws: {spread['shipped']:.0f}, the most "
        f"frequent filling {spread['heaviest']:.0%} of them)"
    )
    if math.isfinite(spread["effective"]):
        line += f"; the last generation's weights are worth {spread['effective']:.1f} particles"
    return line + "."


def _markdown(report: FitReport) -> str:
    """The Markdown of ``fit_table.md`` (see :meth:`FitReport.markdown`)."""
    meta = report.settings.scenario_object().scenario
    table = report.annual_table()
    end = report.record_end
    lines = [
        f"# Fit report: {meta.name}",
        "",
        f"Calibration `{Path(report.calibration.out_dir).absolute()}`: {report.draws} "
        f"posterior draws x {report.seeds} seeds = {report.runs} runs, "
        f"{meta.start} to {meta.end}.",
        _spread_line(report),
        "Simulated: median [5%, 95%] over the runs, persons per year. Relative error: "
        "(median - observed) / observed.",
        f"Years after {end.year if end.month == 12 and end.day == 31 else end} are a "
        "**forecast**: no observed data there, none used.",
        "",
    ]
    national = {
        b: table[table.series == b].set_index("year")
        for b in ("national_related", "national_homicides")
        if b in set(table.series)
    }
    if len(national) == 2:
        rel, hom = national["national_related"], national["national_homicides"]
        src_r, src_h = report.source("national_related"), report.source("national_homicides")
        lines += [
            "## National, persons per year",
            "",
            f"| Year | {src_r} observed | Simulated related | Error | "
            f"{src_h} observed | Simulated homicides | Error |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for year in report.years:
            r, h = rel.loc[year], hom.loc[year]
            tag = f"{year}" if math.isfinite(r.observed) else f"{year} (forecast)"
            lines.append(
                f"| {tag} | {_cell(r.observed)} | {_band(r)} | "
                f"{_cell(r.relative_error, True)} | {_cell(h.observed)} | {_band(h)} | "
                f"{_cell(h.relative_error, True)} |"
            )
        lines.append("")
    if "plaza_homicides" in set(table.series):
        plaza = table[table.series == "plaza_homicides"].set_index("year")
        lines += [
            f"## {report.plaza_name}, homicides, persons per year",
            "",
            f"| Year | {report.source('plaza_homicides')} observed | Simulated | Error |",
            "|---|---:|---:|---:|",
        ]
        for year in report.years:
            p = plaza.loc[year]
            tag = f"{year}" if math.isfinite(p.observed) else f"{year} (forecast)"
            lines.append(
                f"| {tag} | {_cell(p.observed)} | {_band(p)} | {_cell(p.relative_error, True)} |"
            )
        lines.append("")
    lines += [
        "## Headline checks",
        "",
        "| Check | Measured | Criterion | Result |",
        "|---|---:|---|---|",
    ]
    for c in report.checks:
        lines.append(f"| {c.description} | {c.measured_text()} | {c.criterion} | {c.result} |")
    passed = [c for c in report.checks if c.passed is not None]
    lines += [
        "",
        f"{sum(bool(c.passed) for c in passed)} of {len(passed)} checks pass"
        + (
            f" ({len(report.checks) - len(passed)} without the data to check)."
            if len(passed) < len(report.checks)
            else "."
        ),
        "",
        "## What the distance is made of",
        "",
        "Each block's weighted mean cost (mean squared log error) over the calibration's "
        "last generation, and its share of the squared distance: the blocks with most of the "
        "share decided where the particles went.",
        "",
        "| Block | Weight | Cost | Share |",
        "|---|---:|---:|---:|",
    ]
    for b in report.distance_blocks.itertuples():
        lines.append(f"| {b.block} | {b.weight:g} | {b.cost:.3f} | {b.share:.0%} |")
    lines.append("")
    return "\n".join(lines)


def fit_report(
    calibration_dir: str | os.PathLike[str],
    *,
    draws: int | None = None,
    seeds: int = DEFAULT_SEEDS,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> FitReport:
    """Read a calibration directory and run its posterior predictive; nothing is written.

    ``draws`` defaults to ``min(50, posterior size)``. Bad input raises
    :class:`~plazasim.errors.PlazasimError` before anything runs.
    """
    record = read_calibration(calibration_dir)
    t0 = time.perf_counter()
    frame = posterior_predictive(
        record.settings,
        record.posterior,
        draws=draws,
        seeds=seeds,
        workers=workers,
        progress=progress,
    )
    wall = time.perf_counter() - t0
    runs = int(frame[["draw", "seed"]].drop_duplicates().shape[0])
    return FitReport(
        calibration=record,
        predictive=frame,
        seeds=seeds,
        workers=min(workers, runs),
        wall_time_s=wall,
    )


def check_fit_report_dir(out_dir: str | os.PathLike[str]) -> None:
    """Refuse an output path :func:`write_fit_report` must not replace.

    As :func:`plazasim.results.store.check_out_dir`: an existing non-empty
    directory must be an earlier fit report (holds ``manifest.json`` and
    ``fit_table.csv``), so a calibration, run or anything else is never replaced.
    """
    check_out_dir(Path(out_dir), marker=FIT_TABLE, kind="fit report")


def write_fit_report(report: FitReport, out_dir: str | os.PathLike[str]) -> Path:
    """Write the figures, tables, runs and manifest into ``out_dir``, atomically.

    Through :func:`plazasim.results.store.write_directory`: on any failure
    nothing is left behind and an earlier report in ``out_dir`` is kept.
    """
    from plazasim.calibration import fit_plots

    out_dir = Path(out_dir).absolute()
    check_fit_report_dir(out_dir)
    table = report.fit_table()
    markdown = report.markdown()
    manifest = manifest_text(report.manifest())

    def fill(tmp: Path) -> None:
        fit_plots.plot_national(report, tmp / fit_plots.NATIONAL)
        fit_plots.plot_states(report, tmp / fit_plots.STATES)
        if report.spec.plaza is not None:
            fit_plots.plot_plaza(report, tmp / fit_plots.PLAZA)
        fit_plots.plot_related_share(report, tmp / fit_plots.RELATED_SHARE)
        fit_plots.plot_parameters(report, tmp / fit_plots.PARAMETERS)
        table.to_csv(tmp / FIT_TABLE, index=False, float_format="%.6g")
        (tmp / FIT_MARKDOWN).write_text(markdown, encoding="utf-8")
        report.predictive.to_parquet(
            tmp / PREDICTIVE_TABLE, engine="pyarrow", compression="zstd", index=False
        )
        (tmp / MANIFEST).write_text(manifest, encoding="utf-8")

    return write_directory(out_dir, fill)
