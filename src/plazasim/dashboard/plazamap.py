"""The map of one week of a run, from the report's control map, and what a click on it names.

:func:`plazasim.report.maps.control_map` draws who controls each plaza and the
cartel-related killings there (municipal outlines for Mexico, a schematic of points
and links for a synthetic world; offline either way). The dashboard shows one week
at a time, chosen with its own slider, so the figure's animation slider and play
buttons are left out; its Control/Violence switch stays.

Building that figure copies the 2,454 municipal outlines (seconds), so it is built
once per run (:class:`WeekMaps`); a new week changes only the colours of the two
layers, sent to the page as a small :class:`dash.Patch`. The scales are fixed for
the whole run: every cartel that ever holds a plaza has its colour in the control
legend, and the violence scale tops out at the run's 99th percentile of a plaza's
weekly cartel-related homicides.
"""

from __future__ import annotations

import copy
import re
import threading
from collections import OrderedDict
from typing import Any

import numpy as np
import pandas as pd
from dash import Patch

from plazasim.dashboard.runstore import BadInputError, LoadedRun
from plazasim.figures.palette import NO_CONTROL, NO_CONTROL_COLOR, cartel_colors
from plazasim.report.maps import RELATED
from plazasim.report.maps import control_map as report_map
from plazasim.results.store import RunTables

__all__ = ["WeekMaps", "clicked_plaza", "week_maps"]

_LABEL_ID = re.compile(r"\(([^()]+)\)\s*$")
#: Share of plaza-weeks with killings below the top of the violence scale.
VIOLENCE_CAP_QUANTILE = 0.99
#: Runs whose maps are kept in memory.
CACHE_SIZE = 4


def _stepped(colors: list[str]) -> list[list[Any]]:
    """A colour scale where value *i* of ``len(colors)`` gets exactly ``colors[i]``."""
    k = len(colors)
    return [pair for i, c in enumerate(colors) for pair in ([i / k, c], [(i + 1) / k, c])]


class WeekMaps:
    """The control map of one run, for any of its weeks.

    ``codes[w, p]`` is the legend index of the controller of plaza ``p`` (in
    ``run.order``) in week ``w``; ``kills[w, p]`` its cartel-related homicides
    (persons) that week.
    """

    def __init__(self, run: LoadedRun, height: int = 640) -> None:
        self.run = run
        plazas = run.plazas
        week = np.searchsorted(
            np.array(run.dates, dtype="datetime64[ns]"),
            pd.to_datetime(plazas["date"]).to_numpy(dtype="datetime64[ns]"),
        )
        pos = {pid: i for i, pid in enumerate(run.order)}
        col = plazas["plaza_id"].astype(str).map(pos).fillna(-1).to_numpy(dtype=int)
        ok = col >= 0
        labels = plazas["controller"].astype(str).replace({"": NO_CONTROL, "nan": NO_CONTROL})
        present = set(labels.unique()) - {NO_CONTROL}
        names = [c for c in run.cartels if c in present] + sorted(present - set(run.cartels))
        self.legend = [NO_CONTROL, *names]
        code = {name: i for i, name in enumerate(self.legend)}
        self.codes = np.zeros((len(run.dates), len(run.order)), dtype=np.int16)
        self.codes[week[ok], col[ok]] = labels.map(code).to_numpy(dtype=int)[ok]
        self.kills = np.zeros(self.codes.shape)
        related = plazas[list(RELATED)].sum(axis=1).to_numpy(dtype=float)
        np.add.at(self.kills, (week[ok], col[ok]), related[ok])
        positive = self.kills[self.kills > 0]
        self.cap = (
            float(max(np.quantile(positive, VIOLENCE_CAP_QUANTILE), 1.0)) if positive.size else 1.0
        )
        tables = RunTables(
            national=run.national, plazas=plazas, cartels=run.cartel_table, manifest=run.manifest
        )
        fig = report_map(tables, dates=[run.dates[0]], height=height)
        fig.frames = ()
        menus = [
            m for m in fig.layout.updatemenus if not any(b.method == "animate" for b in m.buttons)
        ]
        fig.update_layout(
            sliders=[],
            updatemenus=menus,
            clickmode="event",
            uirevision=run.name,
            margin={"b": 40},
            title_y=0.97,
        )
        fig.add_annotation(
            text="click a plaza for its history",
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            yshift=-30,
            showarrow=False,
            xanchor="left",
            font={"size": 12, "color": "#444"},
        )
        self.base = fig.to_plotly_json()
        self.geographic = self.base["data"][-1]["type"] == "choropleth"
        self.control, self.violence = len(self.base["data"]) - 2, len(self.base["data"]) - 1
        self._fix_scales()

    def _fix_scales(self) -> None:
        """One legend and one violence scale for every week of the run."""
        colours = cartel_colors(self.run.cartels + self.legend[1:])
        palette = [NO_CONTROL_COLOR] + [colours[n] for n in self.legend[1:]]
        control, violence = self.base["data"][self.control], self.base["data"][self.violence]
        # ticks a tenth of the bar apart, as on the report's map
        ticks = [
            v
            for v in (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
            if v == 0 or 0.1 * self.cap <= v <= 0.9 * self.cap
        ]
        scales = (
            (
                control,
                {"colorscale": _stepped(palette), "min": -0.5, "max": len(self.legend) - 0.5},
                {"tickvals": list(range(len(self.legend))), "ticktext": self.legend},
            ),
            (
                violence,
                {"min": 0, "max": self.cap},
                {
                    "tickvals": [*ticks, self.cap],
                    "ticktext": [*map(str, ticks), f"≥{self.cap:.0f}"],
                },
            ),
        )
        for trace, scale, bar in scales:
            holder = trace if self.geographic else trace.setdefault("marker", {})
            prefix = "z" if self.geographic else "c"
            holder[f"{prefix}min"], holder[f"{prefix}max"] = scale["min"], scale["max"]
            if "colorscale" in scale:
                holder["colorscale"] = scale["colorscale"]
            holder.setdefault("colorbar", {}).update(bar)

    def _week(self, week: int) -> tuple[int, dict[str, Any]]:
        """The clipped week, and the values that change with it, per trace property."""
        w = int(np.clip(week, 0, len(self.run.dates) - 1))
        controllers = [self.legend[c] for c in self.codes[w]]
        kills = np.round(self.kills[w], 1).tolist()
        colour = "z" if self.geographic else "color"
        return w, {
            "control": {colour: self.codes[w].tolist(), "customdata": controllers},
            "violence": {colour: kills} | ({} if self.geographic else {"customdata": kills}),
        }

    def title(self, week: int, prefix: str | None = None) -> str:
        """The map's title: the week, and what the violence layer counts."""
        date = self.run.dates[int(np.clip(week, 0, len(self.run.dates) - 1))].date()
        heading = f"Plaza control, week of {date}"
        return (
            (f"{prefix}: {heading}" if prefix else heading)
            + "<br><sup>Violence layer: cartel-related homicides (cartel, state, "
            "bystander) in that week</sup>"
        )

    def figure(self, week: int, title: str | None = None) -> dict[str, Any]:
        """The whole figure for ``week`` (0-based), as plotly JSON."""
        w, values = self._week(week)
        fig = {
            **self.base,
            "data": list(self.base["data"]),
            "layout": copy.deepcopy(self.base["layout"]),
        }
        for index, name in ((self.control, "control"), (self.violence, "violence")):
            trace = dict(fig["data"][index])
            for key, value in values[name].items():
                if key == "color":
                    trace["marker"] = {**trace.get("marker", {}), "color": value}
                else:
                    trace[key] = value
            fig["data"][index] = trace
        fig["layout"]["title"] = {**fig["layout"].get("title", {}), "text": self.title(w, title)}
        return fig

    def patch(self, week: int, title: str | None = None) -> Patch:
        """Only what changes when the week does: the two layers' colours and the title."""
        w, values = self._week(week)
        patch = Patch()
        for index, name in ((self.control, "control"), (self.violence, "violence")):
            for key, value in values[name].items():
                if key == "color":
                    patch["data"][index]["marker"]["color"] = value
                else:
                    patch["data"][index][key] = value
        patch["layout"]["title"]["text"] = self.title(w, title)
        return patch


_cache: OrderedDict[tuple[str, str, int], WeekMaps] = OrderedDict()
_lock = threading.Lock()


def week_maps(run: LoadedRun) -> WeekMaps:
    """The :class:`WeekMaps` of ``run``, built on first use and kept for a few runs."""
    key = (run.name, str(run.manifest.get("created")), id(run.plazas))
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    maps = WeekMaps(run)
    with _lock:
        _cache[key] = maps
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return maps


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
