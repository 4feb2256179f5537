"""Draw ``prior.png``: the yearly spread of the draws against the observed counts.

One panel for the nation (all homicides against INEGI, cartel-related killings
against Presidencia's organised-crime deaths) and, when the world has Ciudad
Juárez, one for it. Each simulated series is its median over draws with 50% and
90% bands; whole years are joined by lines, a partial year (e.g. the five weeks
of December 2006) is drawn apart, as a marker with its 5-95% bar, so that it
does not look like a fall or a rise. Observed series stop in 2010; later years
are shaded as forecast.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np

from plazasim.experiments.coverage import BAND, COMPARED, full_years

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from plazasim.experiments.prior_predictive import PriorPredictiveResult

__all__ = ["plot_prior"]

#: Presidencia's count for December 2006 alone, comparable to a run's first five weeks.
DEC_2006 = "presidencia_org_crime_deaths_dec2006"
_NATIONAL = (  # (simulated stem, colour, label, observed series, marker)
    ("homicides", "C0", "homicides, all", "inegi_homicides_occurrence", "s"),
    (
        "related",
        "C3",
        "cartel-related (cartel + state + bystander)",
        "presidencia_org_crime_deaths",
        "D",
    ),
)
_JUAREZ = (("juarez_homicides", "C2", "homicides, all", "juarez_homicides_occurrence", "s"),)
_OBSERVED_LABEL = {
    "inegi_homicides_occurrence": "INEGI homicides (observed)",
    "presidencia_org_crime_deaths": "Presidencia organised-crime deaths (observed)",
    "juarez_homicides_occurrence": "INEGI homicides in Juárez (observed)",
}


def _thousands(ax: Axes) -> None:
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))


def _panel(ax: Axes, result: PriorPredictiveResult, series: tuple, title: str) -> None:
    """Bands, medians and observed points of ``series`` on ``ax``."""
    years, whole = result.years, full_years(result.weeks_per_year)
    joined = whole if len(whole) > 1 else []  # a line needs two whole years
    frame, observed = result.frame, result.observed
    start = result.scenario.scenario.start
    nudge = np.linspace(-0.08, 0.08, len(series)) if len(series) > 1 else [0.0]
    for k, (stem, colour, label, obs_key, marker) in enumerate(series):
        values = {y: frame[f"{stem}_{y}"].to_numpy(dtype=float) for y in years}
        q = {y: np.percentile(v, [BAND[0], 25.0, 50.0, 75.0, BAND[1]]) for y, v in values.items()}
        if joined:
            x = np.array(joined)
            lo5, lo25, med, hi75, hi95 = np.array([q[y] for y in joined]).T
            ax.fill_between(x, lo5, hi95, color=colour, alpha=0.15, lw=0)
            ax.fill_between(x, lo25, hi75, color=colour, alpha=0.3, lw=0)
            ax.plot(x, med, color=colour, lw=2, marker="o", ms=3, label=f"simulated {label}")
        for i, y in enumerate(y for y in years if y not in joined):
            lo5, _, med, _, hi95 = q[y]
            ax.errorbar(
                [y + nudge[k]],
                [med],
                yerr=[[med - lo5], [hi95 - med]],
                fmt="o",
                mfc="white",
                color=colour,
                capsize=3,
                lw=1.2,
                label=f"simulated {label}" if not joined and i == 0 else None,
            )
        seen = observed.get(obs_key, {})
        points = {y: seen[y] for y in whole if y in seen}
        if stem == "related" and start.month == 12 and start.day <= 7:
            points.update(
                {
                    y: v
                    for y, v in observed.get(DEC_2006, {}).items()
                    if y == start.year and y in years
                }
            )
        if points:
            xs = sorted(points)
            ax.scatter(
                xs,
                [points[y] for y in xs],
                marker=marker,
                s=36,
                color="black",
                facecolor=colour,
                zorder=5,
                label=_OBSERVED_LABEL[obs_key],
            )
    last = max((y for key in COMPARED for y in observed.get(key, {})), default=None)
    if last is not None and years[-1] > last:
        ax.axvspan(max(last, years[0] - 1) + 0.5, years[-1] + 0.5, color="0.5", alpha=0.12, lw=0)
        ax.text(
            last + 0.6,
            0.97,
            "forecast\n(no observed data)",
            va="top",
            ha="left",
            transform=ax.get_xaxis_transform(),
            fontsize=8,
            color="0.3",
        )
    ticks = [f"{y}" if y in whole else f"{y}\n({result.weeks_per_year[y]} wk)" for y in years]
    ax.set_xticks(years, ticks, fontsize=8)
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
    ax.set_ylim(bottom=0)
    _thousands(ax)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel("year (weeks counted in the year they start)", fontsize=9)
    ax.set_ylabel("persons per year", fontsize=9)
    ax.set_title(title, fontsize=10)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, fontsize=8, frameon=False)


def plot_prior(result: PriorPredictiveResult, path: str | os.PathLike[str] | None = None) -> Figure:
    """Draw the national panel and, if the world has Ciudad Juárez, its panel.

    Saved to ``path`` (PNG, Agg backend) when given.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    juarez = f"juarez_homicides_{result.years[0]}" in result.frame.columns
    fig = Figure(figsize=(13.5 if juarez else 7.5, 6.0), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 2 if juarez else 1, squeeze=False).ravel()
    nation = "Mexico" if result.scenario.world.kind == "mexico" else "Synthetic world, all plazas"
    _panel(axes[0], result, _NATIONAL, nation)
    if juarez:
        _panel(axes[1], result, _JUAREZ, "Ciudad Juárez, Chihuahua (08037)")
    meta = result.scenario.scenario
    n = len(result.frame)
    fig.suptitle(
        f"Prior predictive check of {meta.name}: {n} draw{'s' * (n != 1)} from the "
        f"[calibration] priors, {meta.start} to {meta.end}\n"
        "lines: median over draws; bands: 50% (dark) and 90% (light, "
        f"{BAND[0]:g}-{BAND[1]:g}%) of draws\nopen circles: partial years (median, "
        f"{BAND[0]:g}-{BAND[1]:g}%); filled markers: observed",
        fontsize=10,
    )
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig
