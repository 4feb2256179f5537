"""The dashboard page: the run form, the run's map and series, a comparison, past runs.

The form is on the left, the chosen run's map and series on the right, the
comparison of two runs and the list of past runs below.

Only structure lives here; :mod:`plazasim.dashboard.callbacks_form` and
:mod:`plazasim.dashboard.callbacks_view` fill it.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from dash import dash_table, dcc, html
from dash.development.base_component import Component

from plazasim.dashboard.edits import MAX_UPLOAD_BYTES
from plazasim.dashboard.figures import empty_figure
from plazasim.scenario import bundled_scenarios

__all__ = ["page"]

#: Milliseconds between two looks at a running job.
POLL_MS = 400
_FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
_TABLE_STYLE = {
    "style_table": {"overflowX": "auto"},
    "style_cell": {
        "fontFamily": _FONT,
        "fontSize": "13px",
        "padding": "3px 6px",
        "textAlign": "left",
        "whiteSpace": "normal",
        "height": "auto",
    },
    "style_header": {"fontWeight": "600", "backgroundColor": "#EEF1F4"},
}


def _policy_names() -> list[str]:
    import plazasim.policies  # noqa: F401  (registers the built-in policies)
    from plazasim.policies import load_plugins_once
    from plazasim.policies.base import registered

    load_plugins_once()
    return sorted(registered())


def _label(text: str, child: Component, hint: str = "") -> html.Div:
    return html.Div(
        [
            html.Label(text, className="field-label"),
            child,
            html.Div(hint, className="hint") if hint else None,
        ],
        className="field",
    )


def _form() -> html.Div:
    policies = _policy_names()
    choices: list[dict[str, str | bool]] = [
        {"label": name, "value": name} for name in bundled_scenarios()
    ]
    choices.append(
        {"label": "uploaded file (upload one below)", "value": "upload", "disabled": True}
    )
    return html.Div(
        className="panel form",
        children=[
            html.H2("1. Scenario"),
            dcc.Dropdown(
                id="scenario-choice", options=choices, value="synthetic-small", clearable=False
            ),
            dcc.Upload(
                id="upload",
                className="upload",
                max_size=-1,
                multiple=False,
                children=html.Div(
                    ["Drop a scenario file here or ", html.A("choose one", className="link")]
                ),
                accept=".toml,text/plain,application/toml",
            ),
            html.Div(
                f"TOML, as for plazasim run FILE; at most {MAX_UPLOAD_BYTES // 1024} KB",
                className="hint",
            ),
            html.Div(id="upload-message", className="message", role="status"),
            dcc.Store(id="upload-store"),
            html.H2("2. Settings"),
            html.Div(
                className="row2",
                children=[
                    _label(
                        "Seed",
                        dcc.Input(id="seed", type="text", debounce=False, className="text-input"),
                    ),
                    _label(
                        "Until",
                        dcc.Input(
                            id="until",
                            type="text",
                            placeholder="YYYY-MM-DD",
                            className="text-input",
                        ),
                        "the run stops at this date",
                    ),
                ],
            ),
            html.Label("Policy timeline (each from its date to the next)", className="field-label"),
            dash_table.DataTable(  # type: ignore[attr-defined]  # dash_table is `# type: ignore`d upstream
                id="timeline",
                editable=True,
                row_deletable=True,
                data=[],
                columns=[
                    {"id": "from", "name": "from (YYYY-MM-DD)"},
                    {"id": "policy", "name": "policy", "presentation": "dropdown"},
                    {"id": "params", "name": "params (JSON)"},
                ],
                dropdown={
                    "policy": {
                        "options": [{"label": p, "value": p} for p in policies],
                        "clearable": False,
                    }
                },
                css=[{"selector": ".Select-menu-outer", "rule": "display: block !important"}],
                **_TABLE_STYLE,
            ),
            html.Button("+ add a policy change", id="add-policy", className="small-button"),
            html.Label("Main parameters", className="field-label"),
            dash_table.DataTable(  # type: ignore[attr-defined]  # dash_table is `# type: ignore`d upstream
                id="parameters",
                data=[],
                columns=[
                    {"id": "parameter", "name": "parameter", "editable": False},
                    {"id": "value", "name": "value", "editable": True},
                    {"id": "units", "name": "units; range", "editable": False},
                ],
                style_data_conditional=[
                    {"if": {"column_id": "value"}, "backgroundColor": "#FFFBE6"}
                ],
                **_TABLE_STYLE,
            ),
            _label(
                "Compare with policy (optional)",
                dcc.Dropdown(
                    id="compare-policy", options=policies, value=None, placeholder="none: one run"
                ),
                "a second run with this policy for all state action, as plazasim run --policy",
            ),
            html.Button("Run", id="run-button", className="run-button"),
            # dash types Progress.value as a string; the element takes a number (0 to max).
            html.Progress(
                id="progress",
                max=1,
                value=0,  # type: ignore[arg-type]
                className="progress",
            ),
            html.Div(id="progress-text", className="hint", role="status"),
            html.Div(id="form-message", className="message", role="status"),
            dcc.Store(id="job-store"),
            dcc.Store(id="job-finished"),
            dcc.Interval(id="poll", interval=POLL_MS, disabled=True),
        ],
    )


def _explore() -> html.Div:
    return html.Div(
        className="panel view",
        children=[
            html.Div(
                className="row2",
                children=[
                    _label(
                        "Run",
                        dcc.Dropdown(
                            id="run-picker",
                            options=[],
                            value=None,
                            placeholder="choose a run, or run one",
                        ),
                    ),
                    html.Button("refresh list", id="refresh-runs", className="small-button"),
                ],
            ),
            html.Label("Week shown on the map", className="field-label"),
            dcc.Slider(
                id="week",
                min=0,
                max=1,
                step=1,
                value=0,
                marks=None,
                tooltip={"placement": "bottom", "always_visible": False},
            ),
            html.Div(id="week-label", className="hint"),
            # A spinner over the map while it is drawn (seconds for a run's first Mexico map).
            dcc.Loading(
                dcc.Graph(
                    id="map",
                    figure=empty_figure("Run a scenario or choose a past run", 420),
                    config={"displaylogo": False},
                    style={"marginTop": "16px"},
                ),
                delay_show=500,
                type="circle",
                color="#0072B2",
                overlay_style={"visibility": "visible", "opacity": 0.6},
                # dash types target_components as an empty TypedDict; it maps ids to props.
                target_components={"map": "figure"},  # type: ignore[arg-type]
            ),
            dcc.Store(id="plaza-store"),
            dcc.Store(id="map-run"),
            dcc.Graph(
                id="history",
                figure=empty_figure("Click a plaza on the map to see its history", 200),
                config={"displaylogo": False},
            ),
            dcc.Graph(
                id="series",
                figure=empty_figure("The national series appear here", 200),
                config={"displaylogo": False},
            ),
        ],
    )


def _compare() -> html.Div:
    return html.Div(
        className="panel",
        id="compare-panel",
        children=[
            html.H2("Compare two runs side by side"),
            html.Div(
                className="row2",
                children=[
                    _label("Left", dcc.Dropdown(id="compare-a", options=[], value=None)),
                    _label("Right", dcc.Dropdown(id="compare-b", options=[], value=None)),
                ],
            ),
            html.Label("Week shown on both maps", className="field-label"),
            dcc.Slider(id="compare-week", min=0, max=1, step=1, value=0, marks=None),
            html.Div(id="compare-summary", className="message summary"),
            html.Div(
                className="row2",
                children=[
                    dcc.Graph(
                        id="compare-map-a",
                        figure=empty_figure("Choose two runs", 160),
                        config={"displaylogo": False},
                    ),
                    dcc.Graph(
                        id="compare-map-b",
                        figure=empty_figure("Choose two runs", 160),
                        config={"displaylogo": False},
                    ),
                ],
            ),
            dcc.Graph(
                id="compare-series", figure=empty_figure("", 120), config={"displaylogo": False}
            ),
        ],
    )


def _past_runs(runs_dir: Path) -> html.Div:
    return html.Div(
        className="panel",
        children=[
            html.H2("Past runs"),
            html.Div(
                [
                    "Run folders in ",
                    html.Code(str(runs_dir)),
                    "; click a row to open it. "
                    "Each is an ordinary run: plazasim query and plazasim report read it.",
                ],
                className="hint",
            ),
            dash_table.DataTable(  # type: ignore[attr-defined]  # dash_table is `# type: ignore`d upstream
                id="runs-table",
                data=[],
                page_size=12,
                sort_action="native",
                columns=[
                    {"id": c, "name": n}
                    for c, n in (
                        ("name", "folder"),
                        ("scenario", "scenario"),
                        ("policy", "policy"),
                        ("seed", "seed"),
                        ("start", "start"),
                        ("end", "end"),
                        ("weeks", "weeks"),
                        ("created", "finished (UTC)"),
                    )
                ],
                **_TABLE_STYLE,
            ),
        ],
    )


def page(runs_dir: Path) -> html.Div:
    """The whole page."""
    with warnings.catch_warnings():
        # Dash 4 says DataTable will move out of Dash one day (to dash-ag-grid, not a
        # dependency of plazasim); it is part of every Dash this package supports.
        warnings.filterwarnings(
            "ignore",
            message=r"\s*The dash_table.DataTable will be removed",
            category=DeprecationWarning,
        )
        return _page(runs_dir)


def _page(runs_dir: Path) -> html.Div:
    return html.Div(
        className="page",
        children=[
            html.Header(
                [
                    html.H1("plazasim dashboard"),
                    html.Span(
                        "simulate the managed drug war: choose a scenario, change its "
                        "policies, run, explore",
                        className="subtitle",
                    ),
                ]
            ),
            html.Div(className="columns", children=[_form(), _explore()]),
            _compare(),
            _past_runs(runs_dir),
        ],
    )
