"""The stylized-facts figure (``validation.png``): each measured effect against the published one.

One row per fact: the model's pooled effect (dot) with its 90% bootstrap interval
(bar), green where the fact holds by its criterion and red where it does not, and
the published effect as a black diamond where the paper gives a number (most give
only a direction, which the criterion encodes). Effects are relative changes in
percent; the zero line is "no effect", and a fact with criterion ``no_shrink`` also
shows its -2% threshold.
"""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from plazasim.figures.common import new_figure

__all__ = ["validation_figure"]

HOLDS = "#1a9850"
FAILS = "#d73027"
#: ``no_shrink`` holds when the interval lies above this relative change.
NO_SHRINK = -0.02


def _no_shrink(criterion: object) -> bool:
    """The criterion is "does not shrink" (by name, or as the table words it: "above -2%")."""
    return str(criterion) == "no_shrink" or "above -2%" in str(criterion)


def _over(manifest: dict[str, Any] | None) -> str:
    if not manifest:
        return ""
    seeds, draws = manifest.get("seeds", []), manifest.get("draws", [])
    text = (
        f"seeds {seeds[0]}-{seeds[-1]}" if len(seeds) > 1 else f"seed {seeds[0]}" if seeds else ""
    )
    if draws:
        text += f" x {len(draws)} posterior draws"
    name = manifest.get("scenario", {}).get("scenario", {}).get("name", "")
    return f"{name}, pooled over {text}" if name else f"pooled over {text}"


def validation_figure(table: pd.DataFrame, manifest: dict[str, Any] | None = None) -> Figure:
    """Draw ``validation.parquet`` (``table``): measured interval vs published value, per fact."""
    n = len(table)
    fig = new_figure(11.5, 0.85 * n + 2.0)
    ax = fig.add_subplot()
    values: list[float] = [0.0]
    for i, row in enumerate(table.itertuples()):
        y = n - 1 - i
        color = HOLDS if bool(row.holds) else FAILS
        ax.plot(
            [row.lo * 100, row.hi * 100], [y, y], color=color, lw=3, solid_capstyle="butt", zorder=3
        )
        ax.plot(
            [row.measured * 100], [y], "o", color=color, ms=7, zorder=4, markeredgecolor="white"
        )
        values += [row.lo * 100, row.hi * 100, row.measured * 100]
        ax.annotate(
            f"{row.measured:+.0%} [{row.lo:+.0%}, {row.hi:+.0%}]",
            (row.measured * 100, y),
            xytext=(0, 8),
            textcoords="offset points",
            ha="center",
            fontsize=7.5,
            color=color,
        )
        published = getattr(row, "published_value", None)
        if published is not None and pd.notna(published):
            ax.plot([published * 100], [y], "D", color="black", ms=6, zorder=5)
            values.append(published * 100)
        if _no_shrink(getattr(row, "criterion", "")):
            ax.plot(
                [NO_SHRINK * 100] * 2,
                [y - 0.3, y + 0.3],
                color="#555555",
                lw=1,
                linestyle=":",
                zorder=2,
            )
    finite = [v for v in values if np.isfinite(v)]
    lo, hi = min(finite), max(finite)
    pad = 0.1 * (hi - lo or 1.0)
    ax.set_xlim(lo - pad, hi + pad)
    ax.axvline(0, color="black", lw=0.9, zorder=1)
    labels = [
        f"{row.fact}\n" + textwrap.fill(textwrap.shorten(str(row.statement), 110), 58)
        for row in table.itertuples()
    ]
    ax.set_yticks(range(n), list(reversed(labels)), fontsize=8)
    ax.set_ylim(-0.7, n - 0.3)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:+.0f}%"))
    ax.set_xlabel(
        "effect: relative change (%), treated vs control arm (gap facts: "
        "difference of two relative changes)",
        fontsize=9,
    )
    ax.grid(axis="x", alpha=0.3)
    handles = [
        Line2D([], [], color=HOLDS, marker="o", lw=3, label="measured, 90% interval: holds"),
        Line2D(
            [], [], color=FAILS, marker="o", lw=3, label="measured, 90% interval: does not hold"
        ),
        Line2D([], [], color="black", marker="D", lw=0, label="published effect (if a number)"),
    ]
    if any(_no_shrink(c) for c in table.get("criterion", [])):
        handles.append(
            Line2D([], [], color="#555555", linestyle=":", label="no_shrink threshold (-2%)")
        )
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1 - 0.2 / n),
        ncol=2,
        fontsize=8,
        frameon=False,
    )
    held = int(table["holds"].sum())
    over = _over(manifest)
    ax.set_title(
        f"Stylized facts: measured effect (90% bootstrap interval) vs published; "
        f"{held} of {n} hold\n{over}",
        fontsize=10.5,
    )
    return fig
