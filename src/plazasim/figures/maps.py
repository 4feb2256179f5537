"""Static maps of plaza control at chosen dates (``control_map.png`` of a run).

Mexico: each municipality filled with the colour of the cartel controlling its plaza
at the end of the week containing the date, state borders on top (outlines shipped
with the package, :mod:`plazasim.world.geometry`). A synthetic world has no
geography: its plazas are drawn as points at their positions (km) over their links,
the same colours, and the panel says it is a schematic.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath

from plazasim.figures.common import new_figure
from plazasim.figures.palette import NO_CONTROL, NO_CONTROL_COLOR, cartel_colors
from plazasim.figures.runinfo import run_title, run_world
from plazasim.results.store import RunTables
from plazasim.world import World

__all__ = ["control_map_figure", "default_map_dates"]

#: Panels of the default map.
DEFAULT_PANELS = 4


def default_map_dates(weeks: Sequence[Any], n: int = DEFAULT_PANELS) -> list[pd.Timestamp]:
    """``n`` weeks evenly spread over the run, first and last included."""
    days = pd.DatetimeIndex(sorted(pd.to_datetime(pd.Series(list(weeks))).unique()))
    if len(days) == 0:
        return []
    idx = np.unique(np.round(np.linspace(0, len(days) - 1, min(n, len(days)))).astype(int))
    return [days[i] for i in idx]


def _rings_path(geometry: dict[str, Any]) -> MplPath:
    """One compound path per municipality; holes keep the opposite winding, so they stay empty."""
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for poly in polys:
        for ring in poly:
            ring = np.asarray(ring, dtype=float)
            c = np.full(len(ring), MplPath.LINETO, dtype=np.uint8)
            c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            verts.append(ring)
            codes.append(c)
    return MplPath(np.concatenate(verts), np.concatenate(codes))


@lru_cache(maxsize=1)
def _mexico_paths() -> tuple[dict[str, MplPath], list[np.ndarray]]:
    from plazasim.world.geometry import mexico_municipalities, mexico_states

    paths = {f["id"]: _rings_path(f["geometry"]) for f in mexico_municipalities()["features"]}
    borders = []
    for f in mexico_states()["features"]:
        g = f["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        borders += [np.asarray(ring, dtype=float) for poly in polys for ring in poly]
    return paths, borders


def _controllers(plazas: pd.DataFrame, day: pd.Timestamp) -> dict[str, str]:
    week = plazas[pd.to_datetime(plazas["date"]) == day]
    return {
        str(p): (str(c) or NO_CONTROL)
        for p, c in zip(week["plaza_id"], week["controller"].astype(str), strict=True)
    }


def _mexico_panel(ax: Axes, control: dict[str, str], colors: dict[str, str]) -> None:
    paths, borders = _mexico_paths()
    ids = list(paths)
    fill = [colors.get(control.get(i, NO_CONTROL), NO_CONTROL_COLOR) for i in ids]
    ax.add_collection(
        PathCollection(
            [paths[i] for i in ids], facecolors=fill, edgecolors="white", linewidths=0.05
        )
    )
    ax.add_collection(LineCollection(borders, colors="#333333", linewidths=0.4))
    ax.set_xlim(-118.6, -86.5)
    ax.set_ylim(14.4, 32.9)
    # equirectangular at Mexico's mean latitude (about 23.5 deg N): shapes look right
    ax.set_aspect(1.0 / np.cos(np.radians(23.5)))


def _schematic_panel(
    ax: Axes, world: World | None, control: dict[str, str], colors: dict[str, str]
) -> None:
    if world is None:
        ax.text(
            0.5,
            0.5,
            "no world to place the plazas",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
        return
    ids = [str(p) for p in world.plaza_id]
    segs = [
        ((world.lon[s], world.lat[s]), (world.lon[d], world.lat[d]))
        for s, d in zip(world.edge_src, world.edge_dst, strict=True)
    ]
    ax.add_collection(LineCollection(segs, colors="#d0d0d0", linewidths=0.5, zorder=1))
    ax.scatter(
        world.lon,
        world.lat,
        s=22,
        zorder=2,
        edgecolors="#555555",
        linewidths=0.3,
        c=[colors.get(control.get(i, NO_CONTROL), NO_CONTROL_COLOR) for i in ids],
    )
    ax.set_aspect("equal")
    ax.autoscale_view()


def control_map_figure(tables: RunTables, dates: Sequence[Any] | None = None) -> Figure:
    """Maps of plaza control at ``dates`` (default: 4 weeks evenly over the run).

    Each date is shown as the simulated week containing it (the first week if the
    date is before the run, the last if after). One legend for all panels; every
    cartel keeps its colour across panels (and across the run's other figures).
    """
    plazas = tables.plazas
    weeks = pd.DatetimeIndex(sorted(pd.to_datetime(plazas["date"]).unique()))
    if dates is None:
        shown = default_map_dates(weeks)
    else:
        pos = [
            int(np.searchsorted(weeks.values, pd.Timestamp(d).to_datetime64(), "right")) - 1
            for d in dates
        ]
        shown = list(dict.fromkeys(weeks[max(p, 0)] for p in pos))
    world = run_world(tables.manifest)
    geographic = world is not None and world.name == "mexico"
    order = [str(c) for c in tables.cartels["cartel"].astype(str).unique()]
    colors = {NO_CONTROL: NO_CONTROL_COLOR, **cartel_colors(order)}
    panels = [_controllers(plazas, d) for d in shown]
    present = {c for p in panels for c in p.values()}
    ncols = min(2, len(shown)) if len(shown) > 1 else 1
    nrows = -(-len(shown) // ncols)
    width = (6.2 if geographic else 4.6) * ncols + 2.6
    fig = new_figure(width, (4.3 if geographic else 5.0) * nrows + 0.9)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False).ravel())
    for ax, day, control in zip(axes, shown, panels, strict=False):
        if geographic:
            _mexico_panel(ax, control, colors)
        else:
            _schematic_panel(ax, world, control, colors)
        held = sum(c != NO_CONTROL for c in control.values())
        ax.set_title(f"week of {day.date()}: {held:,} of {len(control):,} plazas held", fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ax.spines.values():
            side.set_visible(False)
    for ax in axes[len(shown) :]:
        ax.set_visible(False)
    handles = [
        Patch(facecolor=colors[c], edgecolor="#777777", linewidth=0.3, label=c)
        for c in [*order, NO_CONTROL]
        if c in present
    ]
    fig.legend(
        handles=handles, loc="outside right upper", fontsize=8, frameon=False, title="controller"
    )
    what = (
        ""
        if geographic
        else (
            "\nsynthetic world: no geography; plazas at their positions (km), grey lines are links"
        )
    )
    fig.suptitle(f"Plaza control by cartel\n{run_title(tables.manifest)}{what}", fontsize=11)
    return fig
