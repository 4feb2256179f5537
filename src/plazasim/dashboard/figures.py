"""The dashboard's time-series figures: the national series, a plaza's history, a comparison.

Units are those of ``docs/OUTPUTS.md``: homicides in persons per week, plazas held
in plazas. Cartel colours come from :mod:`plazasim.dashboard.colours`, the same
as on the map.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from plazasim.dashboard.colours import NO_CONTROL, cartel_colours
from plazasim.dashboard.runstore import LoadedRun

__all__ = ["compare_series", "empty_figure", "national_series", "plaza_history"]

#: White background: the light grey of "no cartel" must show against it.
TEMPLATE = "plotly_white"

#: Homicide kinds of the run tables: label, and a grey line style, so that no kind is
#: mistaken for a cartel (cartels have the colours).
HOMICIDE_KINDS = (
    ("homicides_cartel", "cartel vs cartel", {"color": "#111111", "width": 2.0}),
    ("homicides_state", "state vs cartel", {"color": "#111111", "width": 1.6, "dash": "dash"}),
    ("homicides_bystander", "bystanders", {"color": "#111111", "width": 1.6, "dash": "dot"}),
    ("homicides_baseline", "non-cartel (baseline)", {"color": "#A0A0A0", "width": 1.4}),
)
#: Where the two legends of a two-row figure sit: beside their own row.
_LEGENDS = {
    "legend": {"y": 1.0, "yanchor": "top", "x": 1.01, "tracegroupgap": 2},
    "legend2": {"y": 0.4, "yanchor": "top", "x": 1.01, "tracegroupgap": 2},
}
RELATED = ("homicides_cartel", "homicides_state", "homicides_bystander")
#: The two sides of a comparison: colour and dash, so equal weeks still show both lines.
SIDE_COLOURS = ("#0072B2", "#D55E00")
SIDE_LINES: tuple[dict[str, float | str], ...] = ({"width": 2.6}, {"width": 1.8, "dash": "dash"})


def empty_figure(message: str, height: int = 320) -> go.Figure:
    """A blank figure that says what to do (no run chosen, no plaza clicked)."""
    fig = go.Figure()
    fig.update_layout(
        height=height,
        xaxis={"visible": False},
        yaxis={"visible": False},
        plot_bgcolor="#FFFFFF",
        margin={"l": 20, "r": 20, "t": 30, "b": 20},
        annotations=[
            {
                "text": message,
                "showarrow": False,
                "x": 0.5,
                "y": 0.5,
                "xref": "paper",
                "yref": "paper",
                "font": {"size": 14, "color": "#555"},
            }
        ],
    )
    return fig


def _week_line(fig: go.Figure, date: pd.Timestamp | None, rows: int) -> None:
    """A dotted vertical line at the week shown on the map, in every row of the figure."""
    if date is None:
        return
    for row in range(1, rows + 1):
        fig.add_vline(x=date, line={"color": "#333", "width": 1, "dash": "dot"}, row=row, col=1)


def national_series(run: LoadedRun, week: int | None = None) -> go.Figure:
    """Homicides per week by kind (top) and plazas held per cartel (bottom)."""
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        subplot_titles=("Homicides per week, by kind", "Plazas controlled, by cartel"),
    )
    national = run.national
    for column, label, style in HOMICIDE_KINDS:
        if column in national.columns:
            fig.add_trace(
                go.Scatter(
                    x=national["date"],
                    y=national[column],
                    name=label,
                    mode="lines",
                    line=style,
                    legend="legend",
                    legendgrouptitle_text="homicides",
                    legendgroup="kinds",
                ),
                row=1,
                col=1,
            )
    colours = cartel_colours(run.cartels)
    held = run.cartel_table.pivot_table(
        index="date", columns="cartel", values="plazas_held", aggfunc="sum", observed=True
    )
    for name in [c for c in run.cartels if c in held.columns]:
        series = held[name]
        if np.nansum(series.to_numpy(dtype=float)) == 0:
            continue
        fig.add_trace(
            go.Scatter(
                x=held.index,
                y=series,
                name=name,
                mode="lines",
                line={"color": colours[name], "width": 2.0},
                legend="legend2",
                legendgroup="cartels",
                legendgrouptitle_text="cartels",
            ),
            row=2,
            col=1,
        )
    date = run.dates[int(np.clip(week, 0, len(run.dates) - 1))] if week is not None else None
    _week_line(fig, date, 2)
    fig.update_yaxes(title_text="persons / week", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="plazas", rangemode="tozero", row=2, col=1)
    fig.update_xaxes(title_text="week (date of its first day)", row=2, col=1)
    fig.update_layout(
        height=560,
        margin={"l": 70, "r": 10, "t": 40, "b": 50},
        uirevision=run.name,
        hovermode="x unified",
        template=TEMPLATE,
        **_LEGENDS,
    )
    return fig


def plaza_history(run: LoadedRun, plaza_id: str, week: int | None = None) -> go.Figure:
    """One plaza over the run: homicides per week by kind, and who controlled it each week."""
    rows = run.plazas[run.plazas["plaza_id"].astype(str) == plaza_id].sort_values("date")
    if rows.empty:
        return empty_figure(f"plaza {plaza_id} is not in this run")
    where = np.flatnonzero(run.plaza_ids == plaza_id)
    name = run.plaza_names[where[0]] if where.size else plaza_id
    code = str(rows["state"].iloc[0])
    state = f"{run.state_names[code]}, state {code}" if code in run.state_names else f"state {code}"
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        row_heights=[0.62, 0.38],
        subplot_titles=(
            "Homicides per week in the plaza, by kind",
            "Controller (ring: disputed that week)",
        ),
    )
    for column, label, style in HOMICIDE_KINDS:
        fig.add_trace(
            go.Scatter(
                x=rows["date"],
                y=rows[column],
                name=label,
                mode="lines",
                line=style,
                legend="legend",
                legendgroup="kinds",
                legendgrouptitle_text="homicides",
            ),
            row=1,
            col=1,
        )
    colours = cartel_colours(run.cartels)
    controller = rows["controller"].astype(str).replace({"": NO_CONTROL, "nan": NO_CONTROL})
    disputed = rows["disputed"].to_numpy(dtype=bool)
    for cartel in [c for c in [*run.cartels, NO_CONTROL] if (controller == c).any()]:
        mask = (controller == cartel).to_numpy()
        colour = colours.get(cartel, "#444")  # cartel_colours has every cartel and NO_CONTROL
        fig.add_trace(
            go.Scatter(
                x=rows["date"][mask],
                y=controller[mask],
                mode="markers",
                name=cartel,
                marker={
                    "color": colour,
                    "size": 7,
                    "symbol": "square",
                    "line": {
                        "color": np.where(disputed[mask], "#000", colour),
                        "width": np.where(disputed[mask], 1.5, 0),
                    },
                },
                legend="legend2",
                legendgroup="control",
                legendgrouptitle_text="controller",
                hovertemplate="%{x|%Y-%m-%d}: %{y}<extra></extra>",
            ),
            row=2,
            col=1,
        )
    date = run.dates[int(np.clip(week, 0, len(run.dates) - 1))] if week is not None else None
    _week_line(fig, date, 2)
    fig.update_yaxes(title_text="persons / week", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="", type="category", row=2, col=1)
    fig.update_xaxes(title_text="week (date of its first day)", row=2, col=1)
    fig.update_layout(
        title={"text": f"History of {name} ({plaza_id}, {state})", "x": 0.01},
        height=460,
        margin={"l": 110, "r": 10, "t": 70, "b": 50},
        template=TEMPLATE,
        **_LEGENDS,
    )
    return fig


def _related(national: pd.DataFrame) -> pd.Series:
    present = [c for c in RELATED if c in national.columns]
    return national[present].sum(axis=1)


def compare_series(left: LoadedRun, right: LoadedRun, labels: tuple[str, str]) -> go.Figure:
    """Two runs' related homicides per week (top) and summed since the start (bottom)."""
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        subplot_titles=(
            "Cartel-related homicides per week (cartel + state + bystanders)",
            "Cartel-related homicides since the start",
        ),
    )
    for run, label, colour, line in zip(
        (left, right), labels, SIDE_COLOURS, SIDE_LINES, strict=True
    ):
        related = _related(run.national)
        fig.add_trace(
            go.Scatter(
                x=run.national["date"],
                y=related,
                name=label,
                mode="lines",
                line={"color": colour, **line},
                legendgroup=label,
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=run.national["date"],
                y=related.cumsum(),
                name=label,
                mode="lines",
                showlegend=False,
                legendgroup=label,
                line={"color": colour, **line},
            ),
            row=2,
            col=1,
        )
    fig.update_yaxes(title_text="persons / week", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="persons", rangemode="tozero", row=2, col=1)
    fig.update_xaxes(title_text="week (date of its first day)", row=2, col=1)
    fig.update_layout(
        height=520,
        margin={"l": 70, "r": 10, "t": 40, "b": 50},
        hovermode="x unified",
        template=TEMPLATE,
        legend={"orientation": "h", "y": 1.08, "x": 0, "yanchor": "bottom"},
    )
    return fig
