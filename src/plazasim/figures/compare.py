"""The policy comparison figure (``compare.png``): paired differences against the first variant.

What a comparison claims is a difference, so that is what the figure draws: one
panel per metric, one row per variant after the first, each run's paired difference
(same seed, and same posterior draw if any) as a faint dot, the median as a marker
and the 90% interval (5th-95th percentile) as a bar, with a zero line. The axis is
in human units (thousand persons, t, US$ M, percentage points) and always includes
zero, so the size of an effect is read against "no effect", and the panel names
the reference level, so it can be read against the level too. With a single
variant there is no difference to show: the panels show its levels, from zero.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from plazasim.figures.common import new_figure
from plazasim.figures.palette import human_scale

__all__ = ["compare_figure", "compare_title", "metric_scale"]


def metric_scale(unit: str, max_abs: float) -> tuple[float, str]:
    """Return (multiplier, axis unit) that shows a metric of ``unit`` in human units.

    Persons in thousands when large, US dollars in M or bn, shares (``0-1``) as
    percentage points; values are multiplied by the multiplier.
    """
    if unit == "0-1":
        return 100.0, "percentage points"
    if unit == "USD":
        divisor, word = human_scale(max_abs)
        return 1.0 / divisor, f"US$ {word}".strip()
    if unit == "cartels":
        return 1.0, "cartels"
    divisor, word = human_scale(max_abs)
    return 1.0 / divisor, f"{word} {unit}".strip()


def _pairs(runs: pd.DataFrame, variant: str, ref: str, metric: str) -> np.ndarray:
    """Per-run differences ``variant - ref`` of ``metric``, paired by (draw, seed)."""
    key = ["draw", "seed"]
    mine = runs[(runs["policy"] == variant) & (runs["metric"] == metric)]
    base = runs[(runs["policy"] == ref) & (runs["metric"] == metric)]
    both = mine.assign(draw=mine["draw"].fillna(-1)).merge(
        base.assign(draw=base["draw"].fillna(-1)), on=key, suffixes=("", "_ref")
    )
    return (both["value"] - both["value_ref"]).to_numpy(dtype=float)


def compare_title(manifest: dict[str, Any]) -> str:
    """Scenario(s), period, seeds and runs of a comparison, for titles."""
    scen = manifest.get("scenarios", {})
    names = list(dict.fromkeys(s.get("scenario", {}).get("name", "?") for s in scen.values()))
    periods = list(
        dict.fromkeys(
            f"{s.get('scenario', {}).get('start')} to {s.get('scenario', {}).get('end')}"
            for s in scen.values()
        )
    )
    seeds = manifest.get("seeds", [])
    draws = manifest.get("draws", [])
    seed_text = (
        f"seeds {seeds[0]}-{seeds[-1]}"
        if len(seeds) > 1
        else f"seed {seeds[0]}"
        if seeds
        else "no seeds"
    )
    runs = len(seeds) * max(len(draws), 1)
    draw_text = f" x {len(draws)} posterior draws" if draws else ""
    return (
        f"{' / '.join(names)}, {' / '.join(periods)}, {seed_text}{draw_text} "
        f"({runs} runs per variant, common random numbers)"
    )


def _panel(
    ax: Axes,
    rows: list[tuple[str, np.ndarray, float, float, float]],
    unit: str,
    ref_level: float | None,
    ref: str | None,
) -> None:
    """Draw one metric: per row (label, runs, median, lo, hi); zero line; human units."""
    values = [v for _, runs, med, lo, hi in rows for v in (*runs, med, lo, hi)]
    peak = max((abs(v) for v in values if np.isfinite(v)), default=0.0)
    mult, axis_unit = metric_scale(unit, peak)  # the differences' scale, not the level's
    n = len(rows)
    for i, (_label, runs, med, lo, hi) in enumerate(rows):
        y = n - 1 - i
        jitter = np.linspace(-0.18, 0.18, len(runs)) if len(runs) > 1 else np.zeros(len(runs))
        ax.scatter(
            runs * mult, y + jitter, s=13, color="#4c72b0", alpha=0.5, linewidths=0, zorder=2
        )
        ax.plot(
            [lo * mult, hi * mult], [y, y], color="#c44e52", lw=2.4, zorder=3, solid_capstyle="butt"
        )
        ax.plot(
            [med * mult],
            [y],
            "o",
            color="#c44e52",
            ms=6,
            zorder=4,
            markeredgecolor="white",
            markeredgewidth=0.8,
        )
        rel = ""
        if ref_level:
            rel = f" ({med / ref_level:+.1%})"
        sign = "+" if ref is not None else ""
        ax.annotate(
            f"{med * mult:{sign},.3g}{rel}",
            (med * mult, y),
            xytext=(0, 7),
            textcoords="offset points",
            ha="center",
            fontsize=7.5,
            zorder=5,
        )
    ax.axvline(0.0, color="black", lw=0.9, zorder=1)
    lo_x = min([0.0, *(v * mult for v in values if np.isfinite(v))])
    hi_x = max([0.0, *(v * mult for v in values if np.isfinite(v))])
    pad = 0.08 * (hi_x - lo_x) if hi_x > lo_x else 1.0
    ax.set_xlim(lo_x - pad, hi_x + pad)
    ax.set_ylim(-0.6, n - 0.25)
    ax.set_yticks(range(n), [label for label, *_ in reversed(rows)], fontsize=8.5)
    if unit == "cartels":
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.4g}"))
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", alpha=0.3)
    what = f"difference vs {ref}" if ref is not None else "value"
    ax.set_xlabel(f"{what} ({axis_unit})", fontsize=8.5)


def _level(ref: str, value: float, unit: str) -> str:
    """``signaling: 27.6 thousand persons`` (a share as a percentage)."""
    if unit == "0-1":
        return f"{ref}: {value:.1%} (median)"
    mult, axis_unit = metric_scale(unit, abs(value))
    return f"{ref}: {value * mult:,.4g} {axis_unit} (median)"


def compare_figure(frame: pd.DataFrame, manifest: dict[str, Any]) -> Figure:
    """Draw ``compare.parquet`` (``frame``) as paired differences vs the first variant.

    ``manifest`` is the comparison's ``manifest.json`` (variants, seeds, draws,
    scenarios, metric units, interval percentiles).
    """
    variants: list[str] = list(manifest["variants"])
    # the table's order (the experiment's), not the manifest's sorted keys
    metrics = {m: manifest["metrics"][m] for m in dict.fromkeys(frame["metric"])}
    lo_p, hi_p = manifest.get("interval_percentiles", [5.0, 95.0])
    summary = frame[frame["row"] == "summary"].set_index(["policy", "metric"])
    runs = frame[frame["row"] == "seed"]
    ref = variants[0]
    shown = variants[1:] if len(variants) > 1 else variants
    ncols = 2
    nrows = -(-len(metrics) // ncols)
    fig = new_figure(12.5, nrows * (0.55 * len(shown) + 1.35) + 1.2)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, (metric, info) in zip(axes, metrics.items(), strict=False):
        ref_level = float(summary.loc[(ref, metric), "median"])
        rows = []
        for label in shown:
            row = summary.loc[(label, metric)]
            if len(variants) > 1:
                rows.append(
                    (
                        label,
                        _pairs(runs, label, ref, metric),
                        float(row["diff_median"]),
                        float(row["diff_lo"]),
                        float(row["diff_hi"]),
                    )
                )
            else:
                values = runs[(runs["policy"] == label) & (runs["metric"] == metric)]
                rows.append(
                    (
                        label,
                        values["value"].to_numpy(float),
                        float(row["median"]),
                        float(row["lo"]),
                        float(row["hi"]),
                    )
                )
        _panel(
            ax,
            rows,
            info["unit"],
            ref_level if len(variants) > 1 else None,
            ref if len(variants) > 1 else None,
        )
        ax.set_title(
            f"{info['meaning']} ({metric})\n{_level(ref, ref_level, info['unit'])}"
            if len(variants) > 1
            else f"{info['meaning']} ({metric})",
            fontsize=9,
            loc="left",
        )
    for ax in axes[len(metrics) :]:
        ax.set_visible(False)
    interval = f"{hi_p - lo_p:g}% interval ({lo_p:g}th-{hi_p:g}th percentile)"
    if len(variants) > 1:
        head = (
            f"Paired differences vs {ref}: median (dot, label: median and % of {ref}'s "
            f"median), {interval} (bar), runs (faint dots)"
        )
    else:
        head = f"{ref}: median (dot), {interval} (bar), runs (faint dots)"
    fig.suptitle(f"{head}\n{compare_title(manifest)}", fontsize=10.5)
    return fig
