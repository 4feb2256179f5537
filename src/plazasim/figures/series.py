"""Time series of one run: homicides beside the observed record, members, flows, control.

Two figures, both from a run's tables (``plazasim run`` writes them as
``homicides.png`` and ``flows.png``):

* :func:`homicides_figure` — weekly homicides stacked by type (cartel-cartel, state
  clashes, bystanders, then the pre-war baseline on top), so the top of the
  cartel-related stack compares with Presidencia's organised-crime deaths and the top
  of the whole stack with INEGI's homicides. The period after the observed record
  (2011 on) is shaded as forecast.
* :func:`flows_figure` — armed members, cocaine flows, money flows, and the plazas
  each cartel holds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from plazasim.figures.common import FORECAST_FROM, OBSERVED, new_figure, observed_weekly
from plazasim.figures.palette import cartel_colors, human_scale
from plazasim.figures.runinfo import run_title
from plazasim.results.store import RunTables

__all__ = ["flows_figure", "homicides_figure"]

#: Homicide types, bottom to top of the stack: (column, label, colour).
HOMICIDE_TYPES = (
    ("homicides_cartel", "cartel vs cartel (incl. executions)", "#b2182b"),
    ("homicides_state", "cartel vs state forces", "#ef8a62"),
    ("homicides_bystander", "bystanders", "#fddbc7"),
    ("homicides_baseline", "baseline (not cartel-related)", "#bababa"),
)


def _closed(
    dates: pd.Series | pd.DatetimeIndex, columns: list[np.ndarray]
) -> tuple[pd.DatetimeIndex, list[np.ndarray]]:
    """Weekly steps drawn whole: one more point a week after the last, with its values.

    A ``step="post"`` area ends at its last point, so without it the last week (and a
    one-week run entirely) would not be drawn.
    """
    index = pd.DatetimeIndex(dates)
    index = index.append(pd.DatetimeIndex([index[-1] + pd.Timedelta(days=7)]))
    return index, [np.append(c, c[-1]) for c in columns]


def _shade_forecast(ax: Axes, dates: pd.Series, observed: bool) -> None:
    """Shade the weeks after the observed record (only where a record was compared)."""
    end = dates.max() + pd.Timedelta(days=7)
    if observed and end > FORECAST_FROM:
        ax.axvspan(
            max(FORECAST_FROM, dates.min()),
            end,
            color="#dfe8f3",
            zorder=0,
            label="forecast (no observed data after 2010)",
        )


def _scaled(ax: Axes, max_abs: float, unit: str) -> str:
    """Format the y axis in human units; return the axis label."""
    divisor, word = human_scale(max_abs)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / divisor:,.4g}"))
    if unit.startswith("US$"):  # US$ M per week, not M US$ per week
        label = f"US$ {word}{unit[3:]}" if word else unit
    else:
        label = f"{word} {unit}" if word else unit
    return label


def homicides_figure(tables: RunTables, observed: bool | None = None) -> Figure:
    """Weekly homicides by type (stacked), with the observed national series when known.

    ``observed``: draw INEGI and Presidencia (default: when the run's world is Mexico).
    Units: persons per week; observed monthly counts are spread evenly over their days.
    """
    nat = tables.national.sort_values("date")
    dates = pd.to_datetime(nat["date"])
    if observed is None:
        observed = tables.manifest.get("world", {}).get("name") == "mexico"
    fig = new_figure(11, 6)
    ax = fig.add_subplot()
    present = [t for t in HOMICIDE_TYPES if t[0] in nat.columns]
    x, ys = _closed(dates, [nat[c].to_numpy(float) for c, _, _ in present])
    ax.stackplot(
        x,
        *ys,
        labels=[label for _, label, _ in present],
        colors=[color for _, _, color in present],
        step="post",
        linewidth=0,
    )
    series = observed_weekly(dates.min(), dates.max()) if observed else {}
    for key, values in series.items():
        label, color, style = OBSERVED[key]
        # one more point at the next month's start, so the last month is drawn whole
        after = pd.DatetimeIndex([values.index[-1] + pd.offsets.MonthBegin(1)])
        ax.step(
            values.index.append(after),
            [*values.to_numpy(), values.iloc[-1]],
            where="post",
            color=color,
            linestyle=style,
            linewidth=1.4,
            label=f"{label}, weekly mean of the month",
        )
    _shade_forecast(ax, dates, bool(series))
    ax.set_xlim(dates.min(), dates.max() + pd.Timedelta(days=7))
    ax.set_ylim(0, None)
    ax.set_ylabel("homicides per week (persons)")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.07), ncol=2, fontsize=8, frameon=False)
    ax.set_title(
        f"Weekly homicides by type, simulated"
        f"{' vs observed' if series else ''}\n{run_title(tables.manifest)}",
        fontsize=11,
    )
    return fig


def _lines(
    ax: Axes, dates: pd.Series, frame: pd.DataFrame, columns: tuple[tuple[str, str], ...], unit: str
) -> None:
    present = [(c, label) for c, label in columns if c in frame.columns]
    peak = max((float(frame[c].abs().max()) for c, _ in present), default=0.0)
    label = _scaled(ax, peak, unit)
    x, ys = _closed(dates, [frame[c].to_numpy(float) for c, _ in present])
    for (_, name), y in zip(present, ys, strict=True):
        ax.plot(x, y, label=name, linewidth=1.2, drawstyle="steps-post")
    ax.set_ylim(0, None)
    ax.set_ylabel(label)
    ax.legend(fontsize=7.5, loc="best", framealpha=0.9)
    ax.grid(axis="y", alpha=0.3)


def _plazas_held(ax: Axes, cartels: pd.DataFrame) -> None:
    """Stacked plazas held per cartel (colours as on the map)."""
    table = cartels.pivot_table(
        index="date", columns="cartel", values="plazas_held", aggfunc="sum", observed=True
    ).fillna(0.0)
    order = [str(c) for c in cartels["cartel"].astype(str).unique()]
    shown = [c for c in order if c in table.columns and table[c].max() > 0]
    colors = cartel_colors(order)
    x, ys = _closed(pd.to_datetime(table.index), [table[c].to_numpy(float) for c in shown])
    ax.stackplot(x, *ys, labels=shown, colors=[colors[c] for c in shown], step="post", linewidth=0)
    ax.set_ylim(0, None)
    ax.set_ylabel("plazas held")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.grid(axis="y", alpha=0.3)


def flows_figure(tables: RunTables) -> Figure:
    """Members, cocaine flows, money flows and plazas held, per week (human units)."""
    nat = tables.national.sort_values("date")
    dates = pd.to_datetime(nat["date"])
    fig = new_figure(13, 7.5)
    axes = fig.subplots(2, 2, sharex=True).ravel()
    _lines(axes[0], dates, nat, (("members", "armed cartel members"),), "persons")
    axes[0].set_title("Cartel members (end of week)", fontsize=10)
    _lines(
        axes[1],
        dates,
        nat,
        (
            ("cocaine_entered_t", "entered Mexico"),
            ("cocaine_delivered_t", "delivered to the US"),
            ("cocaine_seized_t", "seized"),
        ),
        "t per week",
    )
    axes[1].set_title("Cocaine flows", fontsize=10)
    _lines(
        axes[2],
        dates,
        nat,
        (
            ("revenue_usd", "revenue"),
            ("laundered_usd", "laundered"),
            ("wages_usd", "wages"),
            ("bribes_usd", "bribes"),
            ("intercepted_usd", "intercepted (AML)"),
        ),
        "US$ per week",
    )
    axes[2].set_title("Money flows", fontsize=10)
    _plazas_held(axes[3], tables.cartels)
    axes[3].set_title("Plazas held, by cartel (end of week)", fontsize=10)
    for ax in axes:
        ax.set_xlim(dates.min(), dates.max() + pd.Timedelta(days=7))
        ax.tick_params(labelsize=8)
    fig.suptitle(f"Members, flows and territory\n{run_title(tables.manifest)}", fontsize=11)
    return fig
