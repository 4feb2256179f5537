"""The control map of one week of a run: each plaza a point, coloured by who controls it.

Plotly's geographic traces fetch their base map from a CDN, so the map is a plain
scatter over longitude and latitude (degrees; kilometres in a synthetic world),
which works offline. Marker area grows with the plaza's homicides that week; a
black ring marks a disputed plaza. Each point carries its plaza id, so a click
opens the plaza's history.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from plazasim.dashboard.colours import NO_CONTROL, cartel_colours
from plazasim.dashboard.runstore import LoadedRun

__all__ = ["control_map", "week_rows"]

#: Latitude of the middle of Mexico (degrees): one degree of longitude is cos(23°) of one of
#: latitude there, so the map keeps Mexico's shape.
MID_LATITUDE = 23.0


def week_rows(run: LoadedRun, week: int) -> pd.DataFrame:
    """The plaza table of week ``week`` (0-based, clipped to the run), in world order."""
    week = int(np.clip(week, 0, len(run.dates) - 1))
    date = run.dates[week]
    rows = run.plazas[run.plazas["date"] == date]
    order = pd.Series(np.arange(len(run.plaza_ids)), index=run.plaza_ids)
    rows = rows.assign(_i=order.reindex(rows["plaza_id"].astype(str)).to_numpy())
    return rows.dropna(subset=["_i"]).sort_values("_i")


def control_map(run: LoadedRun, week: int, *, title: str | None = None,
                height: int = 560) -> go.Figure:
    """Plazas of ``run`` in week ``week``: colour = controller, size = homicides, ring = disputed.

    ``week`` is 0-based; ``title`` replaces the default one naming the week.
    """
    rows = week_rows(run, week)
    index = rows["_i"].astype(int).to_numpy()
    x, y = run.lon[index], run.lat[index]
    controller = rows["controller"].astype(str).replace({"": NO_CONTROL, "nan": NO_CONTROL})
    homicides = rows["homicides_total"].to_numpy(dtype=float)
    size = 5.0 + 4.0 * np.sqrt(np.clip(homicides, 0.0, None))
    disputed = rows["disputed"].to_numpy(dtype=bool)
    colours = cartel_colours(run.cartels)
    fig = go.Figure()
    order = [c for c in [*run.cartels, NO_CONTROL] if (controller == c).any()]
    for name in order:
        mask = (controller == name).to_numpy()
        custom = np.column_stack([rows["plaza_id"].astype(str).to_numpy()[mask],
                                  run.plaza_names[index][mask], homicides[mask],
                                  np.where(disputed[mask], "yes", "no"),
                                  rows["action"].astype(str).to_numpy()[mask]])
        fig.add_trace(go.Scatter(
            x=x[mask], y=y[mask], mode="markers", name=name, customdata=custom,
            marker={"color": colours.get(name, "#444444"), "size": size[mask],
                    "line": {"color": np.where(disputed[mask], "#000000", "#FFFFFF"),
                             "width": np.where(disputed[mask], 2.0, 0.5)},
                    "opacity": 0.9},
            hovertemplate=("<b>%{customdata[1]}</b> (%{customdata[0]})<br>controller: "
                           + name + "<br>homicides: %{customdata[2]:.1f} /week<br>"
                           "disputed: %{customdata[3]}<br>enforcement: %{customdata[4]}"
                           "<extra></extra>")))
    date = run.dates[int(np.clip(week, 0, len(run.dates) - 1))].date()
    unit = "°" if run.geographic else " km"
    fig.update_layout(
        title={"text": title or f"Control of the plazas, week of {date}", "x": 0.01},
        height=height, margin={"l": 60, "r": 10, "t": 50, "b": 80},
        legend={"title": {"text": "controller"}, "itemsizing": "constant"},
        plot_bgcolor="#F7F7F7", clickmode="event", uirevision=run.name,
        annotations=[{"text": "marker area ∝ homicides that week (persons/week); "
                              "black ring: disputed plaza; click a plaza for its history",
                      "xref": "paper", "yref": "paper", "x": 0, "y": -0.16,
                      "showarrow": False, "font": {"size": 11, "color": "#444"},
                      "xanchor": "left"}])
    fig.update_xaxes(title_text="longitude (°)" if run.geographic else "x (km)",
                     ticksuffix=unit if run.geographic else "", showgrid=False, zeroline=False)
    ratio = 1.0 / np.cos(np.radians(MID_LATITUDE)) if run.geographic else 1.0
    fig.update_yaxes(title_text="latitude (°)" if run.geographic else "y (km)",
                     ticksuffix=unit if run.geographic else "", showgrid=False, zeroline=False,
                     scaleanchor="x", scaleratio=ratio)
    return fig
