"""Interactive time series of one run (plotly), the same content as the run's PNGs.

:func:`homicides_plot`: weekly homicides stacked by type beside INEGI and
Presidencia, the period after the observed record shaded as forecast;
:func:`flows_plot`: members, cocaine and money flows, plazas held per cartel.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from plazasim.figures.common import FORECAST_FROM, OBSERVED, observed_weekly
from plazasim.figures.palette import cartel_colors
from plazasim.figures.runinfo import run_title
from plazasim.figures.series import HOMICIDE_TYPES
from plazasim.results.store import RunTables

__all__ = ["flows_plot", "homicides_plot"]


def homicides_plot(tables: RunTables) -> go.Figure:
    """Weekly homicides by type (stacked areas), observed national series as step lines."""
    nat = tables.national.sort_values("date")
    dates = pd.to_datetime(nat["date"])
    fig = go.Figure()
    for col, label, color in HOMICIDE_TYPES:
        if col in nat.columns:
            fig.add_trace(
                go.Scatter(
                    x=dates,
                    y=nat[col].round(2),
                    name=label,
                    mode="lines",
                    stackgroup="sim",
                    line={"width": 0, "shape": "hv"},
                    fillcolor=color,
                    hovertemplate="%{y:,.0f} per week<extra>" + label + "</extra>",
                )
            )
    mexico = tables.manifest.get("world", {}).get("name") == "mexico"
    series = observed_weekly(dates.min(), dates.max()) if mexico else {}
    for key, values in series.items():
        label, _, style = OBSERVED[key]
        ends = values.index.append(pd.DatetimeIndex([values.index[-1] + pd.offsets.MonthBegin(1)]))
        fig.add_trace(
            go.Scatter(
                x=ends,
                y=[*values.round(1), round(values.iloc[-1], 1)],
                name=f"{label}, weekly mean of the month",
                mode="lines",
                line={"color": "black", "shape": "hv", "dash": "solid" if style == "-" else "dash"},
                hovertemplate="%{y:,.0f} per week<extra>" + label + "</extra>",
            )
        )
    end = dates.max() + pd.Timedelta(days=7)
    if series and end > FORECAST_FROM:
        fig.add_vrect(
            x0=max(FORECAST_FROM, dates.min()),
            x1=end,
            fillcolor="#dfe8f3",
            opacity=0.6,
            layer="below",
            line_width=0,
            annotation_text="forecast (no observed data after 2010)",
            annotation_position="top left",
        )
    fig.update_layout(
        title={
            "text": f"Weekly homicides by type{' vs observed' if series else ''}<br>"
            f"<sup>{run_title(tables.manifest)}</sup>",
            "x": 0.01,
        },
        yaxis={"title": "homicides per week (persons)", "rangemode": "tozero"},
        xaxis={"range": [dates.min(), end]},
        hovermode="x unified",
        height=520,
        legend={"orientation": "h", "y": -0.12},
        margin={"l": 60, "r": 20, "t": 70, "b": 20},
        plot_bgcolor="white",
    )
    fig.update_yaxes(gridcolor="#e5e5e5")
    return fig


def flows_plot(tables: RunTables) -> go.Figure:
    """Members (thousands), cocaine (t/week), money (US$ M/week), plazas held per cartel."""
    nat = tables.national.sort_values("date")
    dates = pd.to_datetime(nat["date"])
    fig = make_subplots(
        rows=2,
        cols=2,
        shared_xaxes=True,
        vertical_spacing=0.09,
        horizontal_spacing=0.08,
        subplot_titles=(
            "Cartel members (thousands)",
            "Cocaine (t per week)",
            "Money (US$ M per week)",
            "Plazas held, by cartel",
        ),
    )
    panels = (
        (1, 1, 1e3, (("members", "members"),)),
        (
            1,
            2,
            1.0,
            (
                ("cocaine_entered_t", "entered Mexico"),
                ("cocaine_delivered_t", "delivered to the US"),
                ("cocaine_seized_t", "seized"),
            ),
        ),
        (
            2,
            1,
            1e6,
            (
                ("revenue_usd", "revenue"),
                ("laundered_usd", "laundered"),
                ("wages_usd", "wages"),
                ("bribes_usd", "bribes"),
                ("intercepted_usd", "intercepted (AML)"),
            ),
        ),
    )
    for row, col, divisor, columns in panels:
        for name, label in columns:
            if name in nat.columns:
                fig.add_trace(
                    go.Scatter(
                        x=dates,
                        y=(nat[name] / divisor).round(3),
                        name=label,
                        mode="lines" if len(dates) > 1 else "markers",
                        legendgroup=f"{row}{col}",
                        hovertemplate="%{y:,.3g}<extra>" + label + "</extra>",
                    ),
                    row=row,
                    col=col,
                )
    table = tables.cartels.pivot_table(
        index="date", columns="cartel", values="plazas_held", aggfunc="sum", observed=True
    ).fillna(0.0)
    order = [str(c) for c in tables.cartels["cartel"].astype(str).unique()]
    colors = cartel_colors(order)
    for cartel in order:
        if cartel in table.columns and table[cartel].max() > 0:
            fig.add_trace(
                go.Scatter(
                    x=pd.to_datetime(table.index),
                    y=table[cartel],
                    name=cartel,
                    stackgroup="held",
                    mode="lines",
                    line={"width": 0, "shape": "hv"},
                    fillcolor=colors[cartel],
                    legendgroup="held",
                    hovertemplate="%{y:,.0f} plazas<extra>" + cartel + "</extra>",
                ),
                row=2,
                col=2,
            )
    fig.update_yaxes(rangemode="tozero", gridcolor="#e5e5e5")
    fig.update_layout(
        title={
            "text": f"Members, flows and territory<br><sup>{run_title(tables.manifest)}</sup>",
            "x": 0.01,
        },
        height=760,
        plot_bgcolor="white",
        hovermode="x",
        margin={"l": 60, "r": 20, "t": 80, "b": 20},
    )
    return fig
