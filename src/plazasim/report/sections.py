"""What a report holds for each kind of results folder: run, compare, validation, sweep.

:func:`folder_kind` recognises the folder by its files; :func:`sections` returns the
report's sections in reading order. A section is a heading, a sentence saying what
it shows, and one of: a plotly figure, a PNG (the same figures the commands write,
for the folders whose PNGs are the clearest summary) or an HTML table.
"""

from __future__ import annotations

import html
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from plazasim.errors import PlazasimError

__all__ = ["KINDS", "Section", "folder_kind", "sections"]

#: Folder kinds, each recognised by one file.
KINDS = {
    "run": "plazas.parquet",
    "compare": "compare.parquet",
    "validation": "validation.parquet",
    "sweep": "sweep.json",
}


@dataclass
class Section:
    """One part of the report."""

    title: str
    intro: str
    figure: go.Figure | None = None
    png: bytes | None = None
    table: str | None = None


def folder_kind(folder: Path) -> str:
    """The kind of results folder ``folder`` is, or a one-line error naming what is missing."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PlazasimError(
            f"DIR: {folder} is not a folder (expected a run, compare, validate or sweep folder)"
        )
    for kind, marker in KINDS.items():
        if (folder / marker).is_file():
            return kind
    raise PlazasimError(
        f"DIR: {folder} is not a plazasim results folder (expected one of "
        f"{', '.join(KINDS.values())})"
    )


def _manifest(folder: Path, name: str = "manifest.json") -> dict[str, Any]:
    path = folder / name
    if not path.is_file():
        raise PlazasimError(f"DIR: {folder} has no {name}")
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PlazasimError(f"DIR: cannot read {path}: {exc}") from None
    return data


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return buf.getvalue()


def _num(value: float, sign: bool = False) -> str:
    """A number people read: thousands separators, no exponent, 4 significant digits below 1,000."""
    if pd.isna(value):
        return ""
    s = "+" if sign else ""
    return f"{value:{s},.0f}" if abs(value) >= 1000 else f"{value:{s}.4g}"


def _table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, border=0, classes="data", escape=True, na_rep="")


def _run_sections(folder: Path, every: str) -> list[Section]:
    from plazasim.report.maps import control_map
    from plazasim.report.series import flows_plot, homicides_plot
    from plazasim.results.store import read_run

    tables = read_run(folder)
    out = [
        Section(
            "Map of plaza control",
            "Each plaza (a municipality in the Mexico world) coloured by the cartel "
            "controlling it at the end "
            "of the week on the slider; <b>Violence</b> shows the cartel-related "
            "homicides (cartel, state and bystander) in each plaza since the previous "
            "slider step. Hover for names and numbers; drag to pan, scroll to zoom.",
            figure=control_map(tables, every=every),
        ),
        Section(
            "Homicides",
            "Simulated weekly homicides stacked by type, beside the "
            "observed national series where the world is Mexico.",
            figure=homicides_plot(tables),
        ),
        Section(
            "Members, flows and territory",
            "Weekly national totals; click a legend entry to hide it.",
            figure=flows_plot(tables),
        ),
    ]
    return out


def _compare_sections(folder: Path) -> list[Section]:
    from plazasim.figures.compare import compare_figure, compare_title

    frame = pd.read_parquet(folder / "compare.parquet")
    manifest = _manifest(folder)
    summary = frame[frame["row"] == "summary"]
    shown = summary.assign(
        value=[
            f"{_num(m)} [{_num(lo)}, {_num(hi)}]"
            for m, lo, hi in zip(summary["median"], summary["lo"], summary["hi"], strict=True)
        ],
        difference=[
            f"{_num(m, True)} [{_num(lo, True)}, {_num(hi, True)}]"
            for m, lo, hi in zip(
                summary["diff_median"], summary["diff_lo"], summary["diff_hi"], strict=True
            )
        ],
    )[["policy", "metric", "value", "difference"]]
    units = {k: v["unit"] for k, v in manifest.get("metrics", {}).items()}
    shown.insert(2, "unit", shown["metric"].map(units))
    variants = manifest.get("variants", [])
    ref = variants[0] if variants else "the first variant"
    return [
        Section(
            "Policy comparison",
            f"{html.escape(compare_title(manifest))}. Paired "
            f"differences against {html.escape(ref)}: median, 90% interval and runs.",
            png=_png(compare_figure(frame, manifest)),
        ),
        Section(
            "Summary table",
            f"Median [90% interval] of each metric, and of its paired "
            f"difference against {html.escape(ref)}.",
            table=_table(shown),
        ),
    ]


def _validation_sections(folder: Path) -> list[Section]:
    from plazasim.figures.validate import validation_figure

    table = pd.read_parquet(folder / "validation.parquet")
    manifest = _manifest(folder)
    shown = table.assign(
        measured=[
            f"{m:+.0%} [{lo:+.0%}, {hi:+.0%}]"
            for m, lo, hi in zip(table["measured"], table["lo"], table["hi"], strict=True)
        ],
        holds=table["holds"].map({True: "yes", False: "NO"}),
    )[["fact", "measured", "holds", "published", "criterion", "source"]]
    return [
        Section(
            "Stylized facts",
            "Each fact's measured effect with its 90% bootstrap "
            "interval, against the published effect.",
            png=_png(validation_figure(table, manifest)),
        ),
        Section(
            "Facts table", "What each fact claims and where it comes from.", table=_table(shown)
        ),
    ]


def _sweep_sections(folder: Path) -> list[Section]:
    from plotly.subplots import make_subplots

    spec = _manifest(folder, "sweep.json")
    files = sorted((folder / "runs").glob("run-*.parquet"))
    if not files:
        raise PlazasimError(f"DIR: {folder} holds no finished sweep runs yet")
    runs = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    points = (
        pd.read_parquet(folder / "points.parquet")
        if (folder / "points.parquet").is_file()
        else pd.DataFrame()
    )
    factors = [
        c
        for c in points.columns
        if c != "point_id" and c in runs.columns and pd.api.types.is_numeric_dtype(runs[c])
    ][:4]
    outputs = [c for c in spec.get("outputs", {}) if c in runs.columns][:4]
    out: list[Section] = []
    if factors and outputs:
        fig = make_subplots(
            rows=len(outputs),
            cols=len(factors),
            shared_xaxes="columns",
            shared_yaxes="rows",
            horizontal_spacing=0.03,
            vertical_spacing=0.04,
        )
        for i, o in enumerate(outputs, start=1):
            for j, f in enumerate(factors, start=1):
                fig.add_trace(
                    go.Scatter(
                        x=runs[f],
                        y=runs[o],
                        mode="markers",
                        showlegend=False,
                        marker={"size": 5, "opacity": 0.6},
                        hovertemplate=f"{f} %{{x:.4g}}<br>{o} %{{y:,.4g}}<extra></extra>",
                    ),
                    row=i,
                    col=j,
                )
                if i == len(outputs):
                    fig.update_xaxes(title_text=f, row=i, col=j)
                if j == 1:
                    unit = spec["outputs"][o].get("unit", "")
                    fig.update_yaxes(title_text=f"{o} ({unit})", row=i, col=j)
        fig.update_layout(
            height=230 * len(outputs) + 80,
            plot_bgcolor="white",
            title={"text": f"{len(runs)} finished runs: outputs against factors", "x": 0.01},
        )
        out.append(
            Section(
                "Outputs against factors",
                "One dot per finished run (first four numeric factors and outputs).",
                figure=fig,
            )
        )
    series = sorted((folder / "series").glob("run-*.parquet"))[:100]
    if series:
        fig = go.Figure()
        for path in series:
            s = pd.read_parquet(path, columns=["date", "homicides_total"])
            fig.add_trace(
                go.Scatter(
                    x=s["date"],
                    y=s["homicides_total"].round(1),
                    mode="lines",
                    name=path.stem,
                    line={"width": 0.8},
                    opacity=0.5,
                    showlegend=False,
                )
            )
        fig.update_layout(
            title={"text": f"Weekly homicides of {len(series)} runs", "x": 0.01},
            yaxis={"title": "homicides per week (persons)", "rangemode": "tozero"},
            height=450,
            plot_bgcolor="white",
        )
        out.append(Section("Weekly homicides", "Every stored series (at most 100).", figure=fig))
    out.append(
        Section(
            "Runs", f"The first 200 of {len(runs)} finished runs.", table=_table(runs.head(200))
        )
    )
    return out


def sections(folder: Path, kind: str, every: str = "month") -> list[Section]:
    """The report's sections for a results ``folder`` of ``kind`` (:func:`folder_kind`)."""
    folder = Path(folder)
    if kind == "run":
        return _run_sections(folder, every)
    if kind == "compare":
        return _compare_sections(folder)
    if kind == "validation":
        return _validation_sections(folder)
    if kind == "sweep":
        return _sweep_sections(folder)
    raise ValueError(f"kind: unknown {kind!r}")
