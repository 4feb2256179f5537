"""The figures of a fit report (PNG, Matplotlib's Agg backend, no display needed).

Each figure sets the record against the posterior predictive runs: the observed
series in black, the runs' median as a coloured line and their 90% band (5-95%
of all runs, posterior draws x seeds) as a shade. Everything after the record's
last day is shaded grey and labelled "forecast (no data used)": no observed
value shaped it. Legends sit outside the plotting area so that they hide no data.
docs/FIT_REPORT.md says how to read each figure.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from plazasim.calibration.fit_stats import (
    annual_totals,
    bands,
    run_matrix,
    spearman,
    state_totals,
    state_years,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from plazasim.calibration.fit_report import FitReport
    from plazasim.calibration_spec import ResolvedPrior

__all__ = [
    "NATIONAL",
    "PARAMETERS",
    "PLAZA",
    "RELATED_SHARE",
    "STATES",
    "plot_national",
    "plot_parameters",
    "plot_plaza",
    "plot_related_share",
    "plot_states",
]

NATIONAL = "national.png"
STATES = "states.png"
PLAZA = "juarez.png"
RELATED_SHARE = "related_share.png"
PARAMETERS = "parameters.png"
DPI = 110
FORECAST_LABEL = "forecast (no data used)"
#: Counts below this are drawn at it on log axes (a log axis has no 0); persons.
LOG_FLOOR = 1.0
_COLOUR = {
    "national_related": "C3",
    "national_homicides": "C0",
    "plaza_homicides": "C2",
    "state_related": "C3",
    "state_homicides": "C0",
}
_WHAT = {
    "national_related": "cartel-related killings (cartel + state + bystander)",
    "national_homicides": "all homicides (the non-cartel baseline included)",
    "plaza_homicides": "all homicides",
}
_OBSERVED = {
    "Presidencia": "Presidencia organised-crime deaths (observed)",
    "INEGI": "INEGI homicides by month of occurrence (observed)",
    "target": "calibration target (observed)",
}


def _figure(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _runs_note(
    report: FitReport, glyphs: str = "line: median of the runs, shade: 90% band (5-95% of runs)"
) -> str:
    return (
        f"{report.draws} posterior draws x {report.seeds} seed"
        f"{'s' * (report.seeds != 1)} = {report.runs} runs; {glyphs}"
    )


def _month_x(labels: pd.Index | list[str]) -> np.ndarray:
    """Mid-month dates (``YYYY-MM-15``) of ``YYYY-MM`` labels, for a monthly x axis."""
    return np.array([np.datetime64(f"{label}-15") for label in labels])


def _month_end(label: str) -> np.datetime64:
    """The first day after month ``label`` (``YYYY-MM``)."""
    year, month = (int(part) for part in label.split("-"))
    return np.datetime64(dt.date(year + (month == 12), month % 12 + 1, 1))


def _thousands(ax: Axes) -> None:
    from matplotlib.ticker import FuncFormatter

    def label(value: float, _: object) -> str:
        # Whole numbers with thousands separators; small axes (a quiet plaza) keep decimals.
        return f"{value:,.0f}" if value == round(value) else f"{value:,.2f}".rstrip("0")

    ax.yaxis.set_major_formatter(FuncFormatter(label))


def _shade_forecast(ax: Axes, start: Any, end: Any) -> None:
    """Grey the forecast span ``[start, end)`` of ``ax``'s x axis and label it at the top."""
    ax.axvspan(start, end, color="0.55", alpha=0.13, lw=0, zorder=0)
    ax.text(
        start,
        0.98,
        f"  {FORECAST_LABEL}",
        transform=ax.get_xaxis_transform(),
        ha="left",
        va="top",
        fontsize=9,
        color="0.25",
        style="italic",
    )


def _monthly_panel(ax: Axes, report: FitReport, block: str, title: str) -> None:
    """Observed and simulated monthly counts of ``block`` on ``ax``, forecast shaded."""
    import matplotlib.dates as mdates

    band = bands(run_matrix(report.predictive, block))
    x = _month_x(band.index)
    colour = _COLOUR[block]
    ax.fill_between(
        x,
        band["q05"],
        band["q95"],
        color=colour,
        alpha=0.22,
        lw=0,
        label="simulated, 90% band (5-95% of runs)",
    )
    ax.plot(x, band["median"], color=colour, lw=1.8, label="simulated, median of runs")
    observed = report.observed[block]
    ax.plot(
        _month_x(observed.index),
        observed.to_numpy(),
        color="black",
        lw=1.1,
        marker="o",
        ms=2.5,
        label=_OBSERVED[report.source(block)],
    )
    top = max(float(band["q95"].max()), float(observed.max()), 1.0)
    ax.set_ylim(0, top * 1.14)  # headroom for the forecast label
    last_month = str(band.index[-1])
    record_end = np.datetime64(report.record_end + dt.timedelta(days=1))
    plot_end = _month_end(last_month)
    first = np.datetime64(f"{band.index[0]}-01")
    ax.set_xlim(first, plot_end)  # type: ignore[arg-type]  # dates: stubs only say float
    if record_end < plot_end:
        _shade_forecast(ax, record_end, plot_end)
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=(4, 7, 10)))
    _thousands(ax)
    ax.set_ylabel("persons per month")
    ax.set_title(title, fontsize=11, loc="left")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8.5, frameon=False)


def plot_national(report: FitReport, path: str | os.PathLike[str]) -> None:
    """``national.png``: monthly national related killings and homicides, record vs runs."""
    fig = _figure(13.0, 8.0)
    top, bottom = fig.subplots(2, 1, sharex=True)
    where = "Mexico" if report.is_mexico else "All plazas"
    _monthly_panel(
        top,
        report,
        "national_related",
        f"{where}: {_WHAT['national_related']} vs {report.source('national_related')}",
    )
    _monthly_panel(
        bottom,
        report,
        "national_homicides",
        f"{where}: {_WHAT['national_homicides']} vs {report.source('national_homicides')}",
    )
    bottom.set_xlabel("month")
    meta = report.settings.scenario_object().scenario
    fig.suptitle(
        f"Posterior predictive fit of {meta.name}, monthly, national\n{_runs_note(report)}",
        fontsize=11,
    )
    fig.savefig(path, dpi=DPI)


def plot_plaza(report: FitReport, path: str | os.PathLike[str]) -> None:
    """``juarez.png``: monthly homicides in the calibration's plaza, record vs runs."""
    fig = _figure(13.0, 4.8)
    ax = fig.subplots()
    _monthly_panel(
        ax,
        report,
        "plaza_homicides",
        f"{report.plaza_name}: {_WHAT['plaza_homicides']} vs {report.source('plaza_homicides')}",
    )
    ax.set_xlabel("month")
    meta = report.settings.scenario_object().scenario
    fig.suptitle(
        f"Posterior predictive fit of {meta.name}, monthly, one plaza\n{_runs_note(report)}",
        fontsize=11,
    )
    fig.savefig(path, dpi=DPI)


def _states_panel(ax: Axes, report: FitReport, block: str) -> float:
    """Ranked dot plot of ``block``'s state totals; returns their Spearman correlation."""
    years = state_years(report.observed, report.predictive, block)
    totals = state_totals(report.predictive, report.observed, block, years)
    totals = totals.sort_values("observed", ascending=True, kind="stable")
    y = np.arange(len(totals))
    colour = _COLOUR[block]

    def floor(v: pd.Series) -> np.ndarray:
        return np.maximum(v.to_numpy(dtype=np.float64), LOG_FLOOR)

    med, lo, hi = floor(totals["median"]), floor(totals["q05"]), floor(totals["q95"])
    ax.errorbar(
        med,
        y + 0.12,
        xerr=[med - lo, hi - med],
        fmt="D",
        ms=4.5,
        color=colour,
        mfc="white",
        lw=1.2,
        capsize=2,
        label="simulated, median with 90% band (5-95% of runs)",
    )
    ax.plot(
        floor(totals["observed"]),
        y - 0.12,
        "o",
        color="black",
        ms=4.5,
        label=f"{report.source(block)} (observed)",
    )
    ax.set_xscale("log")
    ax.set_yticks(y, [report.state_name(str(code)) for code in totals.index], fontsize=8)
    ax.set_ylim(-0.8, len(totals) - 0.2)
    ax.grid(axis="x", which="both", alpha=0.25)
    ax.grid(axis="y", alpha=0.12)
    span = f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0])
    ax.set_xlabel(f"persons, total {span} (log scale)")
    return spearman(totals["observed"], totals["median"])


def plot_states(report: FitReport, path: str | os.PathLike[str]) -> None:
    """``states.png``: state totals, ranked by the record; related and homicides side by side."""
    n = len(report.spec.states)
    fig = _figure(13.0, max(4.5, 0.27 * n + 2.4))
    left, right = fig.subplots(1, 2)
    for ax, block, what in (
        (left, "state_related", "cartel-related killings"),
        (right, "state_homicides", "all homicides"),
    ):
        rho = _states_panel(ax, report, block)
        shown = "n/a" if math.isnan(rho) else f"{rho:.2f}"
        ax.set_title(
            f"{what} vs {report.source(block)}\nSpearman rank correlation, observed "
            f"vs simulated median: {shown}",
            fontsize=10,
        )
    handles, labels = right.get_legend_handles_labels()
    labels = (
        [
            f"observed ({report.source('state_related')} left, "
            f"{report.source('state_homicides')} right)"
            if "observed" in label
            else label
            for label in labels
        ]
        if report.is_mexico
        else labels
    )
    fig.legend(handles, labels, loc="outside lower center", ncol=2, fontsize=9, frameon=False)
    meta = report.settings.scenario_object().scenario
    fig.suptitle(
        f"Posterior predictive fit of {meta.name}: where the killing was, state "
        f"totals ranked by the observed value\n"
        f"{_runs_note(report, 'diamond: median of the runs, bar: 90% band')}; "
        f"counts below {LOG_FLOOR:g} drawn at {LOG_FLOOR:g}",
        fontsize=10,
    )
    fig.savefig(path, dpi=DPI)


def plot_related_share(report: FitReport, path: str | os.PathLike[str]) -> None:
    """``related_share.png``: the annual share of homicides that are cartel-related."""
    related = annual_totals(run_matrix(report.predictive, "national_related"))
    total = annual_totals(run_matrix(report.predictive, "national_homicides"))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = related / total.where(total > 0)
    band = bands(share) * 100.0  # per cent, each run's own share
    years = [int(y) for y in band.index]
    fig = _figure(9.0, 5.4)
    ax = fig.subplots()
    nudge = 0.07  # observed left, simulated right of the year, so neither hides the other
    ax.errorbar(
        np.array(years) + nudge,
        band["median"],
        yerr=[band["median"] - band["q05"], band["q95"] - band["median"]],
        fmt="D-",
        ms=5,
        color="C4",
        mfc="white",
        capsize=4,
        lw=1.4,
        label="simulated related / simulated homicides:\nmedian with 90% band (5-95% of runs)",
    )
    obs_related = annual_totals(report.observed["national_related"])
    obs_total = annual_totals(report.observed["national_homicides"])
    seen = [y for y in obs_related.index if y in obs_total.index and obs_total[y] > 0]
    if seen:
        label = (
            "Presidencia deaths / INEGI homicides (observed)"
            if report.is_mexico
            else "target related / target homicides (observed)"
        )
        ax.plot(
            np.array(seen) - nudge,
            [100.0 * obs_related[y] / obs_total[y] for y in seen],
            "o",
            ms=7,
            color="black",
            label=label,
            zorder=5,
        )
    end = report.record_end
    last_observed = end.year if (end.month, end.day) == (12, 31) else end.year - 1
    if years[-1] > last_observed:
        _shade_forecast(ax, max(last_observed, years[0] - 1) + 0.5, years[-1] + 0.5)
    top = float(
        np.nanmax([band["q95"].max(), *(100.0 * obs_related[y] / obs_total[y] for y in seen)])
    )
    ax.set_ylim(0, min(100.0, top * 1.2) if math.isfinite(top) and top > 0 else 100.0)
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
    ax.set_xticks(years)
    ax.set_xlabel("year")
    ax.set_ylabel("cartel-related share of all homicides (%)")
    ax.grid(alpha=0.3)
    fig.legend(loc="outside lower center", ncol=2, fontsize=8.5, frameon=False)
    meta = report.settings.scenario_object().scenario
    ax.set_title(
        f"Posterior predictive fit of {meta.name}: how much of the killing is the "
        f"war\n{report.draws} draws x {report.seeds} seeds = {report.runs} runs; "
        "the share is taken in each run, then summarised",
        fontsize=10,
    )
    fig.savefig(path, dpi=DPI)


def _prior_density(prior: ResolvedPrior, grid: np.ndarray) -> np.ndarray:
    """The prior's density on ``grid`` (per decade for a log-uniform prior)."""
    low, high = prior.low, prior.high
    pad = 0.5 if prior.integer else 0.0
    lo, hi = low - pad, high + pad
    kind = prior.distribution
    if kind == "loguniform":
        return np.full(grid.shape, 1.0 / (math.log10(hi) - math.log10(lo)))
    if kind == "truncnormal":
        from scipy.stats import truncnorm

        assert prior.mean is not None and prior.sd is not None
        mean, sd = prior.mean, prior.sd
        return truncnorm.pdf(grid, (lo - mean) / sd, (hi - mean) / sd, loc=mean, scale=sd)
    return np.full(grid.shape, 1.0 / (hi - lo))


def _log_ticks(ax: Axes) -> None:
    """Ticks at 1 and 3 x 10^k written plainly (0.003, 0.01): mathtext labels overlap."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.xaxis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 3.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())


def _parameter_panel(
    ax: Axes, name: str, prior: ResolvedPrior, values: np.ndarray, median: float
) -> None:
    pad = 0.5 if prior.integer else 0.0
    lo, hi = prior.low - pad, prior.high + pad
    log = prior.distribution == "loguniform"
    bins = int(np.clip(round(math.sqrt(max(values.size, 1))), 5, 20))
    if log:
        edges_t = np.linspace(math.log10(lo), math.log10(hi), bins + 1)
        density, _ = np.histogram(np.log10(values), edges_t, density=True)
        edges = 10.0**edges_t
        grid = np.geomspace(lo, hi, 200)
        ax.set_xscale("log")
        _log_ticks(ax)
    else:
        edges = np.linspace(lo, hi, bins + 1)
        density, _ = np.histogram(values, edges, density=True)
        grid = np.linspace(lo, hi, 200)
    prior_density = _prior_density(prior, grid)
    ax.stairs(density, edges, fill=True, color="C0", alpha=0.55, label="posterior draws")
    ax.plot(grid, prior_density, color="0.35", lw=1.4, label="prior")
    ax.axvline(median, color="C3", ls="--", lw=1.3, label="posterior median")
    ax.set_xlim(lo, hi)
    ax.set_ylim(0, max(float(density.max()), float(prior_density.max())) * 1.12)
    ax.set_yticks([])
    ax.tick_params(axis="x", labelsize=7)
    ax.set_title(f"{name}{' (log x)' if log else ''}\nmedian {median:.3g}", fontsize=8)


def plot_parameters(report: FitReport, path: str | os.PathLike[str]) -> None:
    """``parameters.png``: each calibrated parameter's prior against its posterior draws."""
    from plazasim.experiments.priors import require_priors

    priors = require_priors(report.settings.scenario_object())
    posterior = report.calibration.posterior
    summary = report.calibration.summary.set_index("parameter")
    names = list(priors)
    ncols = min(6, len(names))
    nrows = math.ceil(len(names) / ncols)
    fig = _figure(max(7.5, 2.45 * ncols), 2.05 * nrows + 1.6)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False).ravel())
    for ax, name in zip(axes, names, strict=False):
        values = posterior[name].to_numpy(dtype=np.float64)
        median = (
            float(summary.loc[name, "median"])
            if name in summary.index
            else float(np.median(values))
        )
        _parameter_panel(ax, name, priors[name], values, median)
    for ax in axes[len(names) :]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=9, frameon=False)
    meta = report.settings.scenario_object().scenario
    fig.suptitle(
        f"Calibrated parameters of {meta.name}\nline: prior; histogram: posterior "
        f"({len(posterior)} equally weighted draws); dashes: weighted posterior "
        "median\nheights are probability densities (per decade on log axes); "
        "x spans the prior's range",
        fontsize=10,
    )
    fig.savefig(path, dpi=DPI)
