"""The interactive control map: who holds each plaza, and where the killing is, over time.

:func:`control_map` turns a run's tables into a plotly figure that works offline:
municipal outlines shipped with the package (:mod:`plazasim.world.geometry`), no
base map, no tiles. Two layers share one time slider: the cartel controlling each
plaza (discrete colours, :func:`plazasim.figures.palette.cartel_colors`) and the
cartel-related homicides (cartel, state and bystander) in each plaza since the
previous frame. A synthetic world has no geography: its plazas are drawn as points
at their positions (km) with their links, a schematic of the same two layers.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from plazasim.figures.palette import NO_CONTROL, NO_CONTROL_COLOR, cartel_colors
from plazasim.figures.runinfo import run_title, run_world
from plazasim.results.store import RunTables, read_run
from plazasim.world import World

__all__ = ["RELATED", "control_map", "frame_dates"]

#: Homicide columns of ``plazas.parquet`` caused by the cartels' wars.
RELATED = ("homicides_cartel", "homicides_state", "homicides_bystander")
#: Share of plaza-periods with killings below the top of the violence colour scale.
VIOLENCE_CAP_QUANTILE = 0.99
#: Violence colours: light grey for none, then ColorBrewer YlOrRd from the smallest count.
VIOLENCE_SCALE = [
    [0.0, "#eeeeee"],
    [1e-6, "#ffffb2"],
    [0.25, "#fecc5c"],
    [0.5, "#fd8d3c"],
    [0.75, "#f03b20"],
    [1.0, "#bd0026"],
]


def frame_dates(weeks: Sequence[Any], every: str = "month") -> list[pd.Timestamp]:
    """Pick the simulated weeks shown as frames: the first week of each month or quarter.

    ``weeks`` are the run's week dates; ``every`` is ``"week"``, ``"month"`` or
    ``"quarter"``. The last week is always included, so the slider ends where the run does.
    """
    if every not in ("week", "month", "quarter"):
        raise ValueError(f"every: expected week, month or quarter (got {every!r})")
    days = pd.DatetimeIndex(sorted(pd.to_datetime(pd.Series(list(weeks))).unique()))
    if every == "week" or len(days) == 0:
        return list(days)
    key = days.to_period("M" if every == "month" else "Q")
    keep = ~pd.Series(key).duplicated().to_numpy()
    picked = list(days[keep])
    if picked[-1] != days[-1]:
        picked.append(days[-1])
    return picked


def _snap(weeks: pd.DatetimeIndex, dates: Sequence[Any]) -> list[pd.Timestamp]:
    """Each requested date as the simulated week containing it (the last week at most)."""
    out = []
    for d in dates:
        ts = pd.Timestamp(d)
        i = int(np.searchsorted(weeks.values, ts.to_datetime64(), side="right")) - 1
        out.append(weeks[max(i, 0)])
    return list(dict.fromkeys(out))


def _tables(run: RunTables | str | os.PathLike[str]) -> RunTables:
    return run if isinstance(run, RunTables) else read_run(Path(run))


def _frames(
    plazas: pd.DataFrame, shown: list[pd.Timestamp], order: list[str]
) -> tuple[list[list[str]], list[np.ndarray], list[int]]:
    """Per frame: controller of each plaza (``order``), related homicides since the last frame.

    The homicides of frame *i* are summed over the weeks after frame *i-1* up to and
    including frame *i* (the first frame: its own week); also returns those week counts.
    """
    dates = pd.to_datetime(plazas["date"])
    weeks = pd.DatetimeIndex(sorted(dates.unique()))
    related = plazas[list(RELATED)].sum(axis=1).to_numpy(dtype=float)
    period = np.searchsorted(
        np.array(shown, dtype="datetime64[ns]"), dates.to_numpy(dtype="datetime64[ns]"), side="left"
    )
    frame_of_week = pd.Series(
        np.searchsorted(
            np.array(shown, dtype="datetime64[ns]"), weeks.to_numpy(dtype="datetime64[ns]")
        ),
        index=weeks,
    )
    ids = plazas["plaza_id"].astype(str).to_numpy()
    valid = period < len(shown)
    pos = {pid: i for i, pid in enumerate(order)}
    col = np.array([pos.get(p, -1) for p in ids])
    kills = np.zeros((len(shown), len(order)))
    ok = valid & (col >= 0)
    np.add.at(kills, (period[ok], col[ok]), related[ok])
    # the first frame counts only its own week
    first = (dates == shown[0]).to_numpy() & (col >= 0)
    kills[0] = 0.0
    np.add.at(kills[0], col[first], related[first])
    n_weeks = [
        int(((frame_of_week == i) & (weeks <= shown[i])).sum()) if i else 1
        for i in range(len(shown))
    ]
    controllers = []
    for day in shown:
        week = plazas[dates == day]
        by_id = dict(zip(week["plaza_id"].astype(str), week["controller"].astype(str), strict=True))
        controllers.append([by_id.get(p, "") or NO_CONTROL for p in order])
    return controllers, [np.round(k, 1) for k in kills], n_weeks


def _discrete_scale(colors: list[str]) -> list[list[Any]]:
    """A stepped colour scale: value *i* (of ``len(colors)``) gets exactly ``colors[i]``."""
    k = len(colors)
    scale: list[list[Any]] = []
    for i, c in enumerate(colors):
        scale += [[i / k, c], [(i + 1) / k, c]]
    return scale


def _labels(world: World | None, order: list[str]) -> list[str]:
    """Hover label of each plaza: name, state, id."""
    if world is None:
        return order
    index = {str(p): i for i, p in enumerate(world.plaza_id)}
    out = []
    for pid in order:
        i = index.get(pid)
        if i is None:
            out.append(pid)
            continue
        state = world.state_names.get(str(world.state[i]), "")
        out.append(f"{world.plaza_name[i]}{', ' + state if state else ''} ({pid})")
    return out


def control_map(
    run: RunTables | str | os.PathLike[str],
    dates: Sequence[dt.date | str | pd.Timestamp] | None = None,
    *,
    every: str = "month",
    height: int = 820,
) -> go.Figure:
    """Build the plotly control map of a run, with a time slider over ``dates``.

    ``run`` is a run directory (``plazasim run``'s output) or its
    :class:`~plazasim.results.store.RunTables`. ``dates`` are snapped to the simulated
    week containing them; without ``dates`` the frames are the first week of every
    ``every`` (``"week"``, ``"month"`` or ``"quarter"``, :func:`frame_dates`) and the
    last week. Two layers, switched by the buttons above the map: "Control" colours
    each plaza by the cartel holding it at the end of the frame's week; "Violence"
    by cartel-related homicides (persons) since the previous frame. Mexico: municipal
    polygons and state borders (no base map, no network); synthetic worlds: a
    schematic of plaza points and links. The figure's ``frames`` are named by ISO date.
    """
    tables = _tables(run)
    plazas = tables.plazas
    weeks = pd.DatetimeIndex(sorted(pd.to_datetime(plazas["date"]).unique()))
    if len(weeks) == 0:
        raise ValueError("control_map: the run has no weeks")
    shown = frame_dates(weeks, every) if dates is None else _snap(weeks, dates)
    if not shown:
        raise ValueError("control_map: no dates to show")
    world = run_world(tables.manifest)
    order = [str(p) for p in plazas.loc[pd.to_datetime(plazas["date"]) == weeks[0], "plaza_id"]]
    controllers, kills, n_weeks = _frames(plazas, shown, order)
    cartel_order = (
        [str(c) for c in tables.cartels["cartel"].astype(str).unique()]
        if "cartel" in tables.cartels
        else []
    )
    present = {c for frame in controllers for c in frame}
    names = [c for c in cartel_order if c in present]
    names += sorted(present - set(names) - {NO_CONTROL})
    colors = cartel_colors(cartel_order + names)
    legend = [NO_CONTROL, *names]
    palette = [NO_CONTROL_COLOR] + [colors[n] for n in names]
    code = {name: i for i, name in enumerate(legend)}
    nonzero = np.concatenate([k[k > 0] for k in kills]) if kills else np.zeros(0)
    cap = float(max(np.quantile(nonzero, VIOLENCE_CAP_QUANTILE), 1.0)) if nonzero.size else 1.0
    text = _labels(world, order)
    geographic = world is not None and world.name == "mexico"
    build = _geo_traces if geographic else _schematic_traces
    static, layer = build(world, order, text, legend, palette, cap)

    def frame_data(i: int) -> list[Any]:
        z = [code[c] for c in controllers[i]]
        return layer(z, controllers[i], kills[i])

    fig = go.Figure(data=static)
    n_static = len(static) - 2  # the last two traces are the layers the frames change
    for trace, first in zip(fig.data[n_static:], frame_data(0), strict=True):
        trace.update({k: v for k, v in first.to_plotly_json().items() if k != "type"})
    fig.frames = [
        go.Frame(
            name=str(day.date()),
            data=frame_data(i),
            traces=[n_static, n_static + 1],
            layout=go.Layout(title_text=_title(tables.manifest, day, n_weeks[i])),
        )
        for i, day in enumerate(shown)
    ]
    _controls(fig, shown, n_static, height)
    fig.update_layout(
        title={
            "text": _title(tables.manifest, shown[0], n_weeks[0]),
            "x": 0.01,
            "y": 0.985,
            "yref": "container",
            "yanchor": "top",
            "font": {"size": 15},
        }
    )
    return fig


def _title(manifest: dict[str, Any], day: pd.Timestamp, n_weeks: int) -> str:
    span = "its week" if n_weeks <= 1 else f"the {n_weeks} weeks to then"
    schematic = (
        ""
        if manifest.get("world", {}).get("name") == "mexico"
        else (
            "synthetic world, no geography: plazas at their positions (km), grey lines are links. "
        )
    )
    return (
        f"Plaza control, week of {day.date()} ({run_title(manifest)})<br>"
        f"<sup>{schematic}Violence layer: cartel-related homicides (cartel, state, "
        f"bystander) in {span}</sup>"
    )


def _colorbars(legend: list[str], cap: float) -> tuple[dict[str, Any], dict[str, Any]]:
    control = {
        "title": {"text": "Controller"},
        "tickvals": list(range(len(legend))),
        "ticktext": legend,
        "len": 0.9,
        "thickness": 14,
        "x": 1.0,
    }
    # ticks at least a tenth of the bar apart, so their labels never overlap
    ticks = [
        v
        for v in (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
        if v == 0 or 0.1 * cap <= v <= 0.9 * cap
    ]
    violence = {
        "title": {"text": "Homicides<br>(persons)"},
        "tickvals": [*ticks, cap],
        "ticktext": [*map(str, ticks), f"≥{cap:.0f}"],
        "len": 0.9,
        "thickness": 14,
        "x": 1.0,
    }
    return control, violence


def _geo_traces(
    world: World | None,
    order: list[str],
    text: list[str],
    legend: list[str],
    palette: list[str],
    cap: float,
) -> tuple[list[Any], Any]:
    """Mexico: state borders (first, so plotly fetches no topojson) and two choropleths."""
    from plazasim.world.geometry import mexico_municipalities, state_border_lines

    lon, lat = state_border_lines()
    borders = go.Scattergeo(
        lon=lon,
        lat=lat,
        mode="lines",
        hoverinfo="skip",
        line={"color": "#444444", "width": 0.8},
        name="state borders",
        showlegend=False,
    )
    geojson = mexico_municipalities()
    bar_c, bar_v = _colorbars(legend, cap)
    outline = {"line": {"width": 0.15, "color": "#ffffff"}}
    common = {
        "geojson": geojson,
        "locations": order,
        "featureidkey": "id",
        "text": text,
        "marker": outline,
    }
    control = go.Choropleth(
        **common,
        z=[0] * len(order),
        zmin=-0.5,
        zmax=len(legend) - 0.5,
        colorscale=_discrete_scale(palette),
        colorbar=bar_c,
        name="control",
        hovertemplate="<b>%{text}</b><br>%{customdata}<extra></extra>",
    )
    violence = go.Choropleth(
        **common,
        z=[0.0] * len(order),
        zmin=0,
        zmax=cap,
        colorscale=VIOLENCE_SCALE,
        colorbar=bar_v,
        name="violence",
        visible=False,
        hovertemplate="<b>%{text}</b><br>%{z:,.1f} cartel-related homicides<extra></extra>",
    )

    def layer(z: list[int], ctl: list[str], kills: np.ndarray) -> list[Any]:
        return [go.Choropleth(z=z, customdata=ctl), go.Choropleth(z=kills.tolist())]

    return [borders, control, violence], layer


def _schematic_traces(
    world: World | None,
    order: list[str],
    text: list[str],
    legend: list[str],
    palette: list[str],
    cap: float,
) -> tuple[list[Any], Any]:
    """A world without geography: plazas as points at their positions, links as lines."""
    if world is not None:
        index = {str(p): i for i, p in enumerate(world.plaza_id)}
        rows = [index.get(p, 0) for p in order]
        x, y = world.lon[rows].tolist(), world.lat[rows].tolist()
        ex: list[float | None] = []
        ey: list[float | None] = []
        for s, d in zip(world.edge_src, world.edge_dst, strict=True):
            ex += [float(world.lon[s]), float(world.lon[d]), None]
            ey += [float(world.lat[s]), float(world.lat[d]), None]
    else:  # no world to place them: a grid, in table order
        side = int(np.ceil(np.sqrt(len(order))))
        x = [float(i % side) for i in range(len(order))]
        y = [float(i // side) for i in range(len(order))]
        ex, ey = [], []
    links = go.Scatter(
        x=ex,
        y=ey,
        mode="lines",
        hoverinfo="skip",
        showlegend=False,
        line={"color": "#cccccc", "width": 0.6},
        name="links",
    )
    bar_c, bar_v = _colorbars(legend, cap)
    control = go.Scatter(
        x=x,
        y=y,
        mode="markers",
        text=text,
        name="control",
        showlegend=False,
        marker={
            "size": 9,
            "color": [0] * len(order),
            "cmin": -0.5,
            "cmax": len(legend) - 0.5,
            "colorscale": _discrete_scale(palette),
            "colorbar": bar_c,
            "line": {"width": 0.4, "color": "#555555"},
        },
        hovertemplate="<b>%{text}</b><br>%{customdata}<extra></extra>",
    )
    violence = go.Scatter(
        x=x,
        y=y,
        mode="markers",
        text=text,
        name="violence",
        showlegend=False,
        visible=False,
        marker={
            "size": 9,
            "color": [0.0] * len(order),
            "cmin": 0,
            "cmax": cap,
            "colorscale": VIOLENCE_SCALE,
            "colorbar": bar_v,
            "line": {"width": 0.4, "color": "#555555"},
        },
        customdata=[0.0] * len(order),
        hovertemplate="<b>%{text}</b><br>%{customdata:,.1f} cartel-related "
        "homicides<extra></extra>",
    )

    def layer(z: list[int], ctl: list[str], kills: np.ndarray) -> list[Any]:
        k = kills.tolist()
        return [
            go.Scatter(marker={"color": z}, customdata=ctl),
            go.Scatter(marker={"color": k}, customdata=k),
        ]

    return [links, control, violence], layer


def _controls(fig: go.Figure, shown: list[pd.Timestamp], n_static: int, height: int) -> None:
    """Slider, play/pause and the layer switch; the layout of either kind of map."""
    anim = {
        "frame": {"duration": 0, "redraw": True},
        "mode": "immediate",
        "transition": {"duration": 0},
    }
    steps = [
        {"method": "animate", "label": str(d.date()), "args": [[str(d.date())], anim]}
        for d in shown
    ]
    on = [True] * n_static
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 105, "b": 10},
        paper_bgcolor="white",
        plot_bgcolor="white",
        sliders=[
            {
                "active": 0,
                "steps": steps,
                "x": 0.02,
                "len": 0.96,
                "y": 0.0,
                "currentvalue": {"prefix": "week of "},
                "pad": {"t": 30},
            }
        ],
        updatemenus=[
            {
                "type": "buttons",
                "direction": "right",
                "x": 0.02,
                "y": 1.0,
                "xanchor": "left",
                "yanchor": "bottom",
                "showactive": True,
                "pad": {"b": 6},
                "buttons": [
                    {
                        "label": "Control",
                        "method": "restyle",
                        "args": [{"visible": [*on, True, False]}],
                    },
                    {
                        "label": "Violence",
                        "method": "restyle",
                        "args": [{"visible": [*on, False, True]}],
                    },
                ],
            },
            {
                "type": "buttons",
                "direction": "right",
                "x": 0.98,
                "y": 1.0,
                "xanchor": "right",
                "yanchor": "bottom",
                "showactive": False,
                "pad": {"b": 6},
                "buttons": [
                    {
                        "label": "▶ Play",
                        "method": "animate",
                        "args": [
                            None,
                            {
                                **anim,
                                "frame": {"duration": 400, "redraw": True},
                                "fromcurrent": True,
                            },
                        ],
                    },
                    {
                        "label": "❚❚ Pause",
                        "method": "animate",
                        "args": [[None], {**anim, "mode": "immediate"}],
                    },
                ],
            },
        ],
    )
    if fig.data and fig.data[-1].type == "choropleth":
        # Mexico's extent, degrees; fixed so every frame (and the layer switch) keeps the view
        fig.update_geos(
            visible=False,
            projection_type="mercator",
            bgcolor="white",
            lonaxis_range=[-117.6, -86.4],
            lataxis_range=[14.3, 33.0],
            domain={"x": [0.0, 1.0], "y": [0.0, 1.0]},
        )
    else:
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1)
