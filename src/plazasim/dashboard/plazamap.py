"""The map of one week of a run, from the report's control map, and what a click on it names.

:func:`plazasim.report.maps.control_map` draws who controls each plaza and the
cartel-related killings there (municipal outlines for Mexico, a schematic of points
and links for a synthetic world; offline either way). The dashboard shows one week
at a time, chosen with its own slider, so the figure's animation slider and play
buttons are left out; its Control/Violence switch stays.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import plotly.graph_objects as go

from plazasim.dashboard.runstore import BadInputError, LoadedRun
from plazasim.report.maps import control_map as report_map
from plazasim.results.store import RunTables

__all__ = ["clicked_plaza", "control_map"]

_LABEL_ID = re.compile(r"\(([^()]+)\)\s*$")


def control_map(run: LoadedRun, week: int, *, title: str | None = None,
                height: int = 560) -> go.Figure:
    """The control map of ``run`` in week ``week`` (0-based, clipped to the run).

    The title names the week (the run is named in the page); ``title`` goes before it.
    """
    date = run.dates[int(np.clip(week, 0, len(run.dates) - 1))]
    tables = RunTables(national=run.national, plazas=run.plazas, cartels=run.cartel_table,
                       manifest=run.manifest)
    fig = report_map(tables, dates=[date], height=height)
    fig.frames = ()
    menus = [m for m in fig.layout.updatemenus
             if not any(b.method == "animate" for b in m.buttons)]
    fig.update_layout(sliders=[], updatemenus=menus, clickmode="event",
                      uirevision=run.name, margin={"b": 40})
    fig.add_annotation(text="click a plaza for its history", xref="paper", yref="paper",
                       x=0, y=0, yshift=-30, showarrow=False, xanchor="left",
                       font={"size": 12, "color": "#444"})
    heading = f"Plaza control, week of {date.date()}"
    fig.update_layout(title_text=(f"{title}: {heading}" if title else heading)
                      + "<br><sup>Violence layer: cartel-related homicides (cartel, state, "
                        "bystander) in that week</sup>")
    return fig


def clicked_plaza(click: Any, run: LoadedRun) -> str:
    """The plaza id a map click names; :class:`BadInputError` if it names none.

    A municipality (choropleth) reports its ``location``, the plaza id; a point of the
    schematic its index in the plaza table's order.
    """
    try:
        point = click["points"][0]
    except (TypeError, KeyError, IndexError):
        raise BadInputError("map: a click must name a plaza") from None
    if not isinstance(point, dict):
        raise BadInputError("map: a click must name a plaza")
    location = point.get("location")
    if isinstance(location, str) and location in run.plaza_set:
        return location
    index = point.get("pointIndex", point.get("pointNumber"))
    if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(run.order):
        return run.order[index]
    text = point.get("text")
    hit = _LABEL_ID.search(text) if isinstance(text, str) else None
    if hit and hit.group(1) in run.plaza_set:
        return hit.group(1)
    raise BadInputError("map: the click names no plaza of this run")
