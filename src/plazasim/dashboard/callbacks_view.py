"""Callbacks of the views: the run list, the map and its week, a plaza's history, comparison.

Run names come back from the page and are looked up through
:meth:`RunStore.path_of`, which accepts only run folders directly under the runs
folder; anything else is a :class:`BadInputError` (HTTP 400).
"""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, Patch, State, ctx, no_update
from dash.exceptions import PreventUpdate

from plazasim.dashboard.figures import compare_series, empty_figure, national_series, plaza_history
from plazasim.dashboard.plazamap import clicked_plaza, week_maps
from plazasim.dashboard.runstore import BadInputError, LoadedRun, RunStore

__all__ = ["register_views"]


def _week(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1e6:
        raise BadInputError(f"week: expected a week number (got {str(value)[:20]!r})")
    return int(value)


def _marks(run: LoadedRun) -> dict[int, str]:
    """Slider marks at the first week of each year."""
    marks: dict[int, str] = {}
    for i, date in enumerate(run.dates):
        if i == 0 or date.year != run.dates[i - 1].year:
            marks[i] = str(date.year)
    return marks


def _slider(run: LoadedRun) -> tuple[int, dict[int, str], int]:
    last = len(run.dates) - 1
    return last, _marks(run), last


def _label(run: LoadedRun) -> str:
    policy = " > ".join(p.get("name", "?") for p in run.manifest["scenario"].get("policy", []))
    return f"{policy or 'no policy'} (seed {run.manifest.get('seed')})"


def register_views(app: Dash, store: RunStore) -> None:
    """Attach the view callbacks to ``app``, reading runs from ``store``."""

    @app.callback(
        Output("run-picker", "options"),
        Output("compare-a", "options"),
        Output("compare-b", "options"),
        Output("runs-table", "data"),
        Output("run-picker", "value"),
        Output("compare-a", "value"),
        Output("compare-b", "value"),
        Input("refresh-runs", "n_clicks"),
        Input("job-finished", "data"),
        State("run-picker", "value"),
    )
    def on_runs(_: Any, finished: Any, current: Any) -> tuple[Any, ...]:
        runs = store.summaries()
        options = [{"label": f"{s.name}  ({s.policy})", "value": s.name} for s in runs]
        table = [{**s.__dict__} for s in runs]
        picked: tuple[Any, Any, Any] = (no_update, no_update, no_update)
        if ctx.triggered_id == "job-finished" and isinstance(finished, dict):
            names = [n for n in finished.get("runs", []) if isinstance(n, str)]
            if names:
                store.path_of(names[0])
                picked = (
                    names[0],
                    names[0] if len(names) > 1 else no_update,
                    names[1] if len(names) > 1 else no_update,
                )
        elif current is None and runs:
            picked = (runs[0].name, no_update, no_update)
        return options, options, options, table, *picked

    @app.callback(
        Output("run-picker", "value", allow_duplicate=True),
        Input("runs-table", "active_cell"),
        State("runs-table", "derived_viewport_data"),
        prevent_initial_call=True,
    )
    def on_table_click(cell: Any, rows: Any) -> Any:
        if not isinstance(cell, dict) or not isinstance(rows, list):
            raise PreventUpdate
        row = cell.get("row")
        if not isinstance(row, int) or not 0 <= row < len(rows) or not isinstance(rows[row], dict):
            raise BadInputError("runs-table: no such row")
        name = rows[row].get("name")
        store.path_of(name)
        return name

    @app.callback(
        Output("week", "max"),
        Output("week", "marks"),
        Output("week", "value"),
        Output("plaza-store", "data"),
        Input("run-picker", "value"),
    )
    def on_pick(name: Any) -> tuple[Any, ...]:
        if name is None:
            raise PreventUpdate
        run = store.load(name)
        return (*_slider(run), None)

    @app.callback(
        Output("map", "figure"),
        Output("series", "figure"),
        Output("week-label", "children"),
        Output("map-run", "data"),
        Input("run-picker", "value"),
        Input("week", "value"),
        State("map-run", "data"),
    )
    def on_week(name: Any, week: Any, shown: Any) -> tuple[Any, ...]:
        if name is None:
            raise PreventUpdate
        run = store.load(name)
        week = min(_week(week), len(run.dates) - 1)
        date = run.dates[week].date()
        last = date.fromordinal(date.toordinal() + 6)
        label = f"week {week + 1} of {len(run.dates)}: {date} to {last}"
        maps = week_maps(run)
        if ctx.triggered_id == "week" and shown == name:  # same run: only the week moves
            series = Patch()
            for i in range(2):  # the dotted week line of both rows
                series["layout"]["shapes"][i]["x0"] = date.isoformat()
                series["layout"]["shapes"][i]["x1"] = date.isoformat()
            return maps.patch(week), series, label, name
        return maps.figure(week), national_series(run, week), label, name

    @app.callback(
        Output("plaza-store", "data", allow_duplicate=True),
        Input("map", "clickData"),
        State("run-picker", "value"),
        prevent_initial_call=True,
    )
    def on_click(click: Any, name: Any) -> Any:
        if click is None or name is None:
            raise PreventUpdate
        return clicked_plaza(click, store.load(name))

    @app.callback(
        Output("history", "figure"),
        Input("plaza-store", "data"),
        State("run-picker", "value"),
        State("week", "value"),
    )
    def on_plaza(plaza: Any, name: Any, week: Any) -> Any:
        if plaza is None or name is None:
            return empty_figure("Click a plaza on the map to see its history", 200)
        if not isinstance(plaza, str):
            raise BadInputError("plaza: not a plaza id")
        run = store.load(name)
        return plaza_history(run, plaza, _week(week) if week is not None else None)

    @app.callback(
        Output("compare-week", "max"),
        Output("compare-week", "marks"),
        Output("compare-week", "value"),
        Input("compare-a", "value"),
        Input("compare-b", "value"),
    )
    def on_compare_pick(a: Any, b: Any) -> tuple[Any, ...]:
        if a is None or b is None:
            raise PreventUpdate
        left, right = store.load(a), store.load(b)
        shorter = left if len(left.dates) <= len(right.dates) else right
        return _slider(shorter)

    @app.callback(
        Output("compare-map-a", "figure"),
        Output("compare-map-b", "figure"),
        Output("compare-series", "figure"),
        Output("compare-summary", "children"),
        Input("compare-a", "value"),
        Input("compare-b", "value"),
        Input("compare-week", "value"),
    )
    def on_compare(a: Any, b: Any, week: Any) -> tuple[Any, ...]:
        if a is None or b is None:
            raise PreventUpdate
        left, right = store.load(a), store.load(b)
        week = _week(week)
        labels = (f"left: {_label(left)}", f"right: {_label(right)}")
        maps = [
            week_maps(run).figure(
                min(week, len(run.dates) - 1),
                title=f"{label.split(':')[0].capitalize()}, {_label(run)}",
            )
            for run, label in zip((left, right), labels, strict=True)
        ]
        totals = []
        for run, label in zip((left, right), labels, strict=True):
            related = (
                run.national[
                    [
                        c
                        for c in ("homicides_cartel", "homicides_state", "homicides_bystander")
                        if c in run.national.columns
                    ]
                ]
                .to_numpy()
                .sum()
            )
            totals.append(
                f"{label}: {related:,.0f} cartel-related homicides over {len(run.dates)} weeks"
            )
        return (*maps, compare_series(left, right, labels), " | ".join(totals))
