"""What every matplotlib figure shares: a headless canvas, atomic saving, observed series.

Figures are built on :class:`matplotlib.figure.Figure` with the Agg canvas, never
``pyplot``, so they draw the same with no display and leave no global state.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["FORECAST_FROM", "new_figure", "observed_weekly", "save_png"]

#: Observed outcome series stop at the end of 2010 (shared/data/PROVENANCE.md): later
#: dates are the model's forecast and are shaded.
FORECAST_FROM = pd.Timestamp("2011-01-01")
#: Resolution of saved PNGs, dots per inch (sharp on slides, small files).
DPI = 130

#: Observed national series drawn beside a Mexico run: key -> (label, colour, style).
OBSERVED = {
    "inegi_homicides": ("INEGI homicides (all kinds; by month of occurrence)", "black", "-"),
    "presidencia_deaths": ("Presidencia organised-crime deaths (cartel-related)", "black", "--"),
}


def new_figure(width: float, height: float) -> Figure:
    """A figure of ``width`` x ``height`` inches with the Agg canvas and a tight layout."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save_png(fig: Figure, path: str | os.PathLike[str], dpi: int = DPI) -> Path:
    """Save ``fig`` as a PNG at ``path`` atomically: a failed save leaves no partial file."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        fig.savefig(tmp, dpi=dpi, format="png")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def observed_weekly(start: pd.Timestamp, end: pd.Timestamp) -> dict[str, pd.Series]:
    """Observed national monthly series as persons per week, indexed by month start.

    A month's count is spread evenly over its days (count / days x 7), so it can be
    drawn on the same axis as the simulated weekly series. Only months that overlap
    ``[start, end]`` are returned; series without such months are left out.
    """
    from plazasim.world.observed import load_observed

    frame = load_observed()
    frame = frame[(frame["geo"] == "national") & (frame["month"] > 0)]
    out: dict[str, pd.Series] = {}
    for key in OBSERVED:
        rows = frame[frame["series"] == key]
        if rows.empty:
            continue
        months = pd.to_datetime(
            {"year": rows["year"].astype(int), "month": rows["month"].astype(int), "day": 1}
        )
        series = pd.Series(
            rows["value"].to_numpy(float) / months.dt.days_in_month.to_numpy() * 7.0,
            index=pd.DatetimeIndex(months),
        ).sort_index()
        series = series[(series.index + pd.offsets.MonthEnd(0) >= start) & (series.index <= end)]
        if not series.empty:
            out[key] = series
    return out
